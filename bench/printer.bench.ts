/**
 * Receipt printer: for one sample slip (gas top-up, Chinese, key-value rows, a table, a QR code, a
 * barcode, a cut), encode time and bytes of this project's encoder vs receiptline and
 * node-thermal-printer; and time from print() to the first print byte on the pty, status check
 * (DLE EOT 1..4 round trips) included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import receiptline from 'receiptline';
import { PrinterDriver } from '../apps/agent/src/devices/printer/driver.js';
import { getProfile } from '../apps/agent/src/devices/printer/profiles/index.js';
import { receipt, type ReceiptDocument } from '../apps/agent/src/receipts/document.js';
import { renderReceipt } from '../apps/agent/src/receipts/render.js';
import { openDatabase } from '@kiosk/platform';
import { agentMigrations } from '../apps/agent/src/store/migrations.js';
import { SerialTransport } from '@kiosk/transport';
import { createPrinterSimulator } from '../apps/simulators/src/printer/index.js';
import type { Benchmark, BenchResult } from './result.js';

// node-thermal-printer is CommonJS with a hand-written d.ts; require() keeps its runtime shape.
const require = createRequire(import.meta.url);
const ntp = require('node-thermal-printer') as typeof import('node-thermal-printer');
const version = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;

const sample = {
  title: '天然气充值凭条',
  subtitle: 'Gas top-up receipt',
  rows: [
    ['终端编号', 'XN-ZWFW-24H-01'],
    ['户号', '0101****23'],
    ['户名', '张*三'],
    ['订单号', 'GT202601010001'],
    ['支付方式', '微信支付'],
    ['充值金额', '￥50.00'],
    ['时间', '2026-01-01 12:00:00'],
  ] as [string, string][],
  table: [
    ['天然气充值', '1', '￥50.00'],
    ['服务费', '1', '￥0.00'],
  ],
  qr: 'https://zwfw.example.cn/verify?o=GT202601010001&k=咸宁燃气',
  barcode: 'GT202601010001',
  footer: ['请妥善保管 / Keep this slip', '咸宁市政务服务中心 24小时自助服务区'],
};

const ours = (): ReceiptDocument =>
  receipt('gas-topup', { ref: 'GT202601010001' })
    .title(sample.title, sample.subtitle)
    .rows(sample.rows)
    .table(
      [
        { title: '项目', weight: 3 },
        { title: '数量', width: 4, align: 'right' },
        { title: '金额', width: 8, align: 'right' },
      ],
      sample.table,
    )
    .qr(sample.qr)
    .barcode(sample.barcode)
    .footer(...sample.footer)
    .build();

const receiptlineDoc = [
  `^^^${sample.title}`,
  sample.subtitle,
  '===',
  ...sample.rows.map(([k, v]) => `${k} | ${v}`),
  '-',
  '"项目 | "数量 | "金额',
  ...sample.table.map((r) => `${r[0]} | ${r[1]} | ${r[2]}`),
  `{code:${sample.qr.replace(/[\\|{};]/g, (c) => `\\${c}`)}; option:qrcode,8,m}`,
  `{code:${sample.barcode}; option:code128,2,80,hri}`,
  ...sample.footer,
  '=',
].join('\n');

function receiptlineBytes(): Buffer {
  const out = receiptline.transform(receiptlineDoc, { cpl: 48, encoding: 'gb18030', command: 'escpos', cutting: true });
  return Buffer.from(out, 'binary');
}

function ntpBytes(): Buffer {
  const p = new ntp.ThermalPrinter({
    type: ntp.PrinterTypes.EPSON,
    interface: 'tcp://127.0.0.1:9100',
    width: 48,
    characterSet: ntp.CharacterSet.CHINA,
  });
  p.alignCenter();
  p.setTextQuadArea();
  p.println(sample.title);
  p.setTextNormal();
  p.println(sample.subtitle);
  p.drawLine('=');
  p.alignLeft();
  for (const [k, v] of sample.rows) p.leftRight(k, v);
  p.drawLine();
  p.tableCustom([
    { text: '项目', align: 'LEFT', width: 0.6, bold: true },
    { text: '数量', align: 'RIGHT', width: 0.15, bold: true },
    { text: '金额', align: 'RIGHT', width: 0.25, bold: true },
  ]);
  for (const r of sample.table) {
    p.tableCustom([
      { text: r[0]!, align: 'LEFT', width: 0.6 },
      { text: r[1]!, align: 'RIGHT', width: 0.15 },
      { text: r[2]!, align: 'RIGHT', width: 0.25 },
    ]);
  }
  p.alignCenter();
  p.printQR(sample.qr, { cellSize: 8, correction: 'M', model: 2 });
  p.code128(sample.barcode, { height: 80, text: 2 });
  for (const f of sample.footer) p.println(f);
  p.partialCut();
  return p.getBuffer();
}

/** Median µs per call over batches, after a warm-up. */
function timeUs(f: () => unknown, budgetMs = 1500): number {
  for (let i = 0; i < 50; i++) f();
  const samples: number[] = [];
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samples.length < 5) {
    const n = 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    samples.push(((performance.now() - t0) * 1000) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function printToFirstByte(rounds = 25): Promise<{ p50: number; p95: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-bench-printer-'));
  const sim = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer.device') });
  await sim.start();
  const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
  const profile = getProfile('generic-80mm');
  const driver = new PrinterDriver(new SerialTransport({ path: sim.agentPath, baudRate: 115200 }), db, {
    profile,
    statusPollMs: 3_600_000, // no idle polls in the way
    statusTimeoutMs: 500,
  });
  const times: number[] = [];
  try {
    await driver.start();
    const doc = ours();
    let firstByteAt = 0;
    sim.emulator.on('data', (chunk) => {
      // The job starts with ESC @; status requests start with DLE.
      if (firstByteAt === 0 && chunk[0] === 0x1b) firstByteAt = performance.now();
    });
    for (let i = 0; i < rounds + 3; i++) {
      firstByteAt = 0;
      const t0 = performance.now();
      const res = await driver.print(doc);
      if (res.outcome !== 'printed') throw new Error(`bench print ${res.outcome}: ${res.detail ?? ''}`);
      if (i >= 3) times.push(firstByteAt - t0);
    }
  } finally {
    await driver.stop();
    await sim.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]! };
}

export const run: Benchmark = async () => {
  const profile = getProfile('generic-80mm');
  const doc = ours();
  const ourBytes = renderReceipt(doc, profile).bytes.length;
  const rlBytes = receiptlineBytes().length;
  const ntpLen = ntpBytes().length;
  const ourUs = timeUs(() => renderReceipt(ours(), profile));
  const rlUs = timeUs(receiptlineBytes);
  const ntpUs = timeUs(ntpBytes);
  const first = await printToFirstByte();
  const rl = `receiptline ${version('receiptline')} (escpos, gb18030)`;
  const nt = `node-thermal-printer ${version('node-thermal-printer')} (EPSON, CHINA)`;
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const rows: BenchResult[] = [
    {
      name: 'printer: sample receipt bytes vs receiptline',
      value: ourBytes,
      unit: 'bytes',
      peer: rl,
      peerValue: rlBytes,
      goal: { max: Math.floor(rlBytes / 2) },
    },
    {
      name: 'printer: sample receipt bytes vs node-thermal-printer',
      value: ourBytes,
      unit: 'bytes',
      peer: nt,
      peerValue: ntpLen,
      goal: null,
    },
    {
      name: 'printer: encode sample receipt vs receiptline',
      value: r2(ourUs),
      unit: 'µs',
      peer: rl,
      peerValue: r2(rlUs),
      goal: { max: r2(rlUs) },
    },
    {
      name: 'printer: encode sample receipt vs node-thermal-printer',
      value: r2(ourUs),
      unit: 'µs',
      peer: nt,
      peerValue: r2(ntpUs),
      goal: { max: r2(ntpUs) },
    },
    {
      name: 'printer: print() to first job byte on pty incl. DLE EOT 1..4 (p50)',
      value: r2(first.p50),
      unit: 'ms',
      peer: null,
      peerValue: null,
      goal: null,
    },
    {
      name: 'printer: print() to first job byte on pty incl. DLE EOT 1..4 (p95)',
      value: r2(first.p95),
      unit: 'ms',
      peer: null,
      peerValue: null,
      goal: null,
    },
  ];
  return rows;
};
