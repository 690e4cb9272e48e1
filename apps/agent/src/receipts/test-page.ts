import { profileColumns, type PrinterProfile } from '../devices/printer/profiles/index.js';
import { receipt, type ReceiptDocument } from './document.js';

export interface TestPageOptions {
  /** Printed as the time; pass a fixed date in tests. */
  now?: Date;
  kioskId?: string;
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** 测试页: Chinese text, every style, a ruler to check the column count, a QR code and a cut. */
export function testPage(profile: PrinterProfile, options: TestPageOptions = {}): ReceiptDocument {
  const cols = profileColumns(profile);
  const ruler = '1234567890'.repeat(Math.ceil(cols / 10)).slice(0, cols);
  const b = receipt('test-page')
    .title('测试页', 'Printer test page')
    .rows([
      ['打印机配置 / Profile', profile.name],
      ['纸宽 / Paper', `${profile.paperWidthMm} mm, ${cols} 列`],
      ['二维码 / QR', profile.qr.native ? '打印机内置 / native' : '图像 / raster'],
      ['时间 / Time', stamp(options.now ?? new Date())],
    ]);
  if (options.kioskId) b.row('终端 / Kiosk', options.kioskId);
  return b
    .divider()
    .text('中文打印测试：咸宁市政务服务中心 24小时自助服务区，“不打烊”的政务服务。')
    .text('English: The quick brown fox jumps over the lazy dog 0123456789.')
    .text('符号 / Symbols: ¥12.50 • ™ — …', {})
    .text('加粗 Bold', { bold: true })
    .text('下划线 Underline', { underline: true })
    .text('大字 Large', { size: 'large' })
    .text('居中 Center', { align: 'center' })
    .text('居右 Right', { align: 'right' })
    .text(ruler)
    .table(
      [
        { title: '项目 Item', weight: 3 },
        { title: '数量', width: 4, align: 'right' },
        { title: '金额', width: 8, align: 'right' },
      ],
      [
        ['天然气充值 Gas top-up', '1', '￥50.00'],
        ['打印测试', '2', '￥0.00'],
      ],
    )
    .qr('https://zwfw.example.cn/verify?code=TEST-0001&t=测试', { caption: '扫码验证 / Scan to verify' })
    .barcode('20260001')
    .footer('打印正常 / Print OK', '咸宁市政务服务中心')
    .build();
}
