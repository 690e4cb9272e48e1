import type { PaymentOrder, SlipVerifyResponse } from '@kiosk/contracts/upstream';
import { yuanAmount } from '@kiosk/platform';

/** Small server-rendered pages a phone or desktop browser opens from a printed QR code. */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Amounts on the pay page: the ¥ sign stands in the template. */
const yuan = yuanAmount;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 0; padding: 24px; background: #f4f6f8; color: #1a1a1a; line-height: 1.5; }
  main { max-width: 640px; margin: 0 auto; background: #fff; border-radius: 12px; padding: 24px; box-shadow: 0 1px 4px rgba(0,0,0,.12); }
  h1 { font-size: 1.5rem; margin-top: 0; }
  .amount { font-size: 2.5rem; font-weight: 700; margin: 16px 0; }
  .note { color: #444; }
  .ok { color: #0a6b2f; font-weight: 700; }
  .bad { color: #a01818; font-weight: 700; }
  button { font-size: 1.25rem; padding: 14px 32px; min-width: 200px; min-height: 56px; border: 0; border-radius: 8px; background: #0a6b2f; color: #fff; cursor: pointer; }
  table { border-collapse: collapse; width: 100%; font-size: .95rem; }
  th, td { border-bottom: 1px solid #ddd; padding: 6px 4px; text-align: left; vertical-align: top; }
  dt { font-weight: 600; } dd { margin: 0 0 8px 0; }
  .sandbox { margin-top: 24px; font-size: .85rem; color: #555; }
</style>
</head>
<body><main>
${body}
<p class="sandbox">测试环境（沙箱），非真实业务数据 / Sandbox environment: synthetic data, no real money.</p>
</main></body>
</html>`;
}

export function verifyPage(v: SlipVerifyResponse): string {
  const s = v.slip;
  const columns = Array.from(new Set(s.records.flatMap((r) => Object.keys(r))));
  const rows = s.records
    .map((r) => `<tr>${columns.map((c) => `<td>${escapeHtml(String(r[c] ?? ''))}</td>`).join('')}</tr>`)
    .join('\n');
  const meta = Object.entries(s.meta ?? {})
    .map(([k, val]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(val)}</dd>`)
    .join('');
  return layout(
    `凭证核验 ${v.serial}`,
    `<h1>凭证核验 / Slip verification</h1>
<p class="ok">此凭证已登记，内容如下 / This slip is registered; it showed:</p>
<dl>
<dt>标题 / Title</dt><dd>${escapeHtml(s.title)}</dd>
<dt>流水号 / Serial</dt><dd>${escapeHtml(v.serial)}</dd>
<dt>终端 / Kiosk</dt><dd>${escapeHtml(v.kioskId)}${s.location ? ` · ${escapeHtml(s.location)}` : ''}</dd>
${s.holder ? `<dt>持有人 / Holder</dt><dd>${escapeHtml(s.holder.nameMasked)} ${escapeHtml(s.holder.idNumberMasked)}</dd>` : ''}
<dt>打印时间 / Printed</dt><dd>${escapeHtml(s.printedAt)}</dd>
${meta}
</dl>
${s.records.length ? `<table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>` : '<p>无记录 / No records</p>'}`,
  );
}

export function verifyNotFoundPage(serial: string): string {
  return layout(
    '凭证核验',
    `<h1>凭证核验 / Slip verification</h1><p class="bad">未找到流水号为 ${escapeHtml(serial)} 的凭证。<br>No slip with serial ${escapeHtml(serial)} is registered.</p>`,
  );
}

export function payPage(o: PaymentOrder, message?: { ok: boolean; zh: string; en: string }): string {
  const payable = o.tradeState === 'NOTPAY' || o.tradeState === 'USERPAYING';
  const state: Record<PaymentOrder['tradeState'], string> = {
    NOTPAY: '待支付 / Awaiting payment',
    USERPAYING: '待支付 / Awaiting payment',
    SUCCESS: '已支付 / Paid',
    CLOSED: '订单已关闭 / Order closed',
    REFUND: '已退款 / Refunded',
    PAYERROR: '支付失败 / Payment failed',
  };
  return layout(
    `支付 ¥${yuan(o.amountFen)}`,
    `<h1>${escapeHtml(o.merchant)}</h1>
<p class="note">${escapeHtml(o.description)}</p>
<p class="amount" data-testid="amount">支付 ¥${yuan(o.amountFen)} / Pay ¥${yuan(o.amountFen)}</p>
<p>订单号 / Order: ${escapeHtml(o.outTradeNo)}</p>
<p data-testid="state">${state[o.tradeState]}</p>
${message ? `<p class="${message.ok ? 'ok' : 'bad'}" data-testid="message">${escapeHtml(message.zh)}<br>${escapeHtml(message.en)}</p>` : ''}
${payable ? `<form method="post" action="/pay/${encodeURIComponent(o.orderId)}"><button type="submit" data-testid="pay">确认支付 / Pay now</button></form>` : ''}`,
  );
}

export function payNotFoundPage(): string {
  return layout('支付', '<h1>支付 / Pay</h1><p class="bad">订单不存在。<br>No such order.</p>');
}
