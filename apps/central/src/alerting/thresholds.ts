/**
 * The one set of alert thresholds and names. Central's built-in engine (evaluate.ts, config
 * defaults) reads the numbers from here, `config/alert-rules.yml` is generated from here
 * (`npx tsx scripts/generate-alert-rules.ts`; a test fails when the checked-in file differs), and
 * alerts posted to Alertmanager carry the alert names listed here. Pure data and pure functions.
 */
/** How bad a condition is: `error` makes the kiosk out of order, `warning` needs attention. */
export type Severity = 'warning' | 'error';

export const thresholds = {
  /** Missed heartbeat intervals before a kiosk counts as offline (`heartbeat.offlineAfterMissed` default). */
  offlineAfterMissed: 3,
  /** Free disk space below this is a warning (`fleet.diskLowBytes` default). */
  diskLowBytes: 512 * 1024 * 1024,
  /** More events than this waiting in a kiosk's outbox means it cannot reach central for long. */
  outboxBacklogEvents: 1000,
  /** Devices without which a kiosk is out of order (`fleet.essentialDevices` default). */
  essentialDevices: ['idcard', 'printer'] as readonly string[],
  /** Device states that count as a fault. */
  faultStates: ['offline', 'noDevice', 'hardwareError', 'userError'] as const,
} as const;

/** Built-in severity → the `severity` label Alertmanager routes on. */
export const severityLabel = (s: Severity): 'critical' | 'warning' => (s === 'error' ? 'critical' : 'warning');

export interface AlertSpec {
  /** Prometheus / Alertmanager `alertname`. */
  alert: string;
  /** Built-in severity (warning / error); the label is `severityLabel(severity)`. */
  severity: Severity;
  summary: string;
  description?: string;
  /**
   * PromQL over central's /metrics with the same thresholds; null when the condition has no metric
   * (central still posts it to Alertmanager itself).
   */
  expr: string | null;
}

const faultRe = thresholds.faultStates.join('|');
const essentialRe = thresholds.essentialDevices.join('|');

/**
 * Every alert central raises, by built-in code. The Prometheus expressions read the same facts
 * the built-in rule reads from the heartbeat (central's /metrics is made from the last heartbeat),
 * so both fire on the same beat; hence no `for:` — central's flapping detection does the damping.
 */
export const alertSpecs = {
  offline: {
    alert: 'KioskOffline',
    severity: 'error',
    // kiosk_up is central's own judgement: offlineAfterMissed × the kiosk's own interval.
    expr: 'kiosk_up == 0',
    summary: '自助终端离线 Kiosk {{ $labels.kiosk }} offline',
    description: `{{ $labels.site }}: 连续 ${thresholds.offlineAfterMissed} 次未收到心跳 / ${thresholds.offlineAfterMissed} heartbeats missed.`,
  },
  paperOut: {
    alert: 'KioskPaperOut',
    severity: 'error',
    expr: 'kiosk_printer_paper_state{state=~"out|jammed"} == 1',
    summary: '打印机缺纸或卡纸 Paper out or jammed at {{ $labels.kiosk }}',
    description: '{{ $labels.site }}: 请导办人员更换打印纸 / a guide needs to refill or clear the printer.',
  },
  paperLow: {
    alert: 'KioskPaperLow',
    severity: 'warning',
    expr: 'kiosk_printer_paper_state{state="low"} == 1',
    summary: '打印纸将尽 Paper low at {{ $labels.kiosk }}',
  },
  deviceEssential: {
    alert: 'KioskDeviceError',
    severity: 'error',
    // A printer that is userError only because of its paper is the paper alert (one cause, one alert).
    expr:
      `kiosk_device_status{device=~"${essentialRe}",state=~"${faultRe}"} == 1` +
      ` unless on (kiosk, device) (kiosk_device_status{device="printer",state="userError"} == 1` +
      ` and on (kiosk) kiosk_printer_paper_state{state=~"out|jammed"} == 1)`,
    summary: '设备故障 {{ $labels.device }} is {{ $labels.state }} at {{ $labels.kiosk }}',
  },
  deviceOther: {
    alert: 'KioskDeviceError',
    severity: 'warning',
    expr: `kiosk_device_status{device!~"${essentialRe}",state=~"${faultRe}"} == 1`,
    summary: '设备故障 {{ $labels.device }} is {{ $labels.state }} at {{ $labels.kiosk }}',
  },
  ui: {
    alert: 'KioskUiNotResponding',
    severity: 'error',
    expr: 'kiosk_ui_alive == 0',
    summary: '界面无响应 Kiosk UI not responding at {{ $labels.kiosk }}',
  },
  gasPendingCredit: {
    alert: 'KioskGasPendingCredit',
    severity: 'warning',
    expr: 'kiosk_gas_pending_credit_orders > 0',
    summary: '燃气待写卡订单 {{ $value }} pending gas credits at {{ $labels.kiosk }}',
  },
  gasNeedsAttention: {
    alert: 'KioskGasNeedsAttention',
    severity: 'error',
    expr: 'kiosk_gas_needs_attention_orders > 0',
    summary: '燃气订单需人工处理 Gas orders need attention at {{ $labels.kiosk }}',
  },
  outbox: {
    alert: 'KioskOutboxBacklog',
    severity: 'warning',
    expr: `kiosk_outbox_events > ${thresholds.outboxBacklogEvents}`,
    summary: '事件积压 {{ $value }} events queued at {{ $labels.kiosk }}',
  },
  disk: {
    alert: 'KioskDiskLow',
    severity: 'warning',
    expr: `kiosk_disk_free_bytes < ${thresholds.diskLowBytes}`,
    summary: '磁盘空间不足 Disk low at {{ $labels.kiosk }}',
  },
  services: {
    alert: 'KioskServicesPaused',
    severity: 'warning',
    expr: null,
    summary: '业务暂停 Services paused at {{ $labels.kiosk }}',
  },
  event: {
    alert: 'KioskEventAlert',
    severity: 'warning',
    expr: null,
    summary: '终端报告 Kiosk reported {{ $labels.code }}',
  },
  flapping: {
    alert: 'KioskFlapping',
    severity: 'warning',
    expr: null,
    summary: '状态频繁变化 Flapping at {{ $labels.kiosk }}',
  },
} satisfies Record<string, AlertSpec>;

/** Which spec a built-in alert (code + current severity) belongs to. */
export function specFor(code: string, severity: Severity): AlertSpec {
  if (code === 'offline') return alertSpecs.offline;
  if (code === 'paper') return severity === 'error' ? alertSpecs.paperOut : alertSpecs.paperLow;
  if (code.startsWith('device:')) return severity === 'error' ? alertSpecs.deviceEssential : alertSpecs.deviceOther;
  if (code === 'ui') return alertSpecs.ui;
  if (code === 'gas-pending-credit') return alertSpecs.gasPendingCredit;
  if (code === 'gas-needs-attention') return alertSpecs.gasNeedsAttention;
  if (code === 'outbox') return alertSpecs.outbox;
  if (code === 'disk') return alertSpecs.disk;
  if (code === 'services') return alertSpecs.services;
  if (code.startsWith('flapping:')) return alertSpecs.flapping;
  return alertSpecs.event;
}
