/**
 * How central judges a kiosk. Pure: a heartbeat in, conditions out; conditions in, a fleet state out.
 */
import type { DeviceState } from '@kiosk/contracts/device-status';
import type { CounterName, HealthCounters } from '@kiosk/contracts/health';
import type { Condition } from '@kiosk/contracts/central-dashboard';
import type { FleetState, Heartbeat } from '@kiosk/contracts/heartbeat';
import { thresholds, type Severity } from './alerting/thresholds.js';

export type { Severity } from './alerting/thresholds.js';

/** Something wrong with a kiosk (shown on the dashboard, so its shape is the dashboard contract's). */
export type { Condition } from '@kiosk/contracts/central-dashboard';

export interface EvaluateOptions {
  essentialDevices: readonly string[];
  diskLowBytes: number;
  /** Default: thresholds.outboxBacklogEvents (the shared set, alerting/thresholds.ts). */
  outboxBacklogEvents?: number;
}

const deviceNames: Record<string, string> = {
  idcard: '身份证阅读器 ID card reader',
  printer: '打印机 printer',
  camera: '摄像头 camera',
  gascard: '燃气卡读写器 gas card reader',
  scanner: '扫码器 scanner',
};

/** Citizen services by id (the kiosk's ServiceId), for operators. */
const serviceNames: Record<string, string> = {
  property: '不动产查询 property',
  gas: '燃气充值 gas',
  tax: '完税凭证 tax',
  social: '社保凭单 social insurance',
};

const deviceStateNames: Record<DeviceState, string> = {
  online: '正常 online',
  offline: '离线 offline',
  noDevice: '未连接 no device',
  hardwareError: '硬件故障 hardware error',
  userError: '需现场处理 needs attention',
  deviceBusy: '忙 busy',
  starting: '启动中 starting',
};

/** Service pause reasons (the kiosk's ReasonCode) that a device or paper condition already reports. */
const deviceReasons: ReadonlySet<string> = new Set(['idcardDown', 'printerDown', 'paperOut', 'paperJammed', 'cameraDown']);

const badStates: ReadonlySet<DeviceState> = new Set(thresholds.faultStates);

/** Heartbeat-driven conditions: they clear themselves when a later heartbeat no longer shows them. */
export function heartbeatConditions(hb: Heartbeat, opts: EvaluateOptions): Condition[] {
  const out: Condition[] = [];
  const essential = new Set(opts.essentialDevices);
  for (const [name, st] of Object.entries(hb.devices)) {
    if (!badStates.has(st.device)) continue;
    // A printer that is "not ready" only because its paper ran out or jammed is the paper alert
    // below: one paper-out is one alert, not two.
    if (
      st.device === 'userError' &&
      (st.paper === 'out' || st.paper === 'jammed') &&
      (hb.paper === 'out' || hb.paper === 'jammed')
    )
      continue;
    const label = deviceNames[name] ?? name;
    out.push({
      code: `device:${name}`,
      severity: essential.has(name) ? 'error' : 'warning',
      message: `${label}: ${deviceStateNames[st.device]}${st.detail ? ` (${st.detail})` : ''}`,
    });
  }
  if (hb.paper === 'out') out.push({ code: 'paper', severity: 'error', message: '打印机缺纸 Printer paper out' });
  else if (hb.paper === 'jammed') out.push({ code: 'paper', severity: 'error', message: '打印机卡纸 Printer paper jammed' });
  else if (hb.paper === 'low') out.push({ code: 'paper', severity: 'warning', message: '打印纸将尽 Printer paper low' });
  if (!hb.ui.alive) out.push({ code: 'ui', severity: 'error', message: '界面无响应 Kiosk UI not responding' });
  if (hb.gas.creditPending > 0) {
    out.push({
      code: 'gas-pending-credit',
      severity: 'warning',
      message: `燃气待写卡订单 ${hb.gas.creditPending} 笔 Gas orders pending credit: ${hb.gas.creditPending}`,
    });
  }
  // Services paused for a device or paper reason are already an alert above (one cause, one
  // alert); a service paused because its back end is down is a condition of its own. Services
  // switched off in the config are no fault. The fleet table shows every paused service anyway.
  const unexplained = (hb.services?.paused ?? []).filter((p) => p.reasons.some((r) => !deviceReasons.has(r) && r !== 'disabled'));
  if (unexplained.length > 0) {
    const names = unexplained.map((p) => serviceNames[p.id] ?? p.id).join('、');
    out.push({
      code: 'services',
      severity: 'warning',
      message: `业务暂停 ${unexplained.length}/${hb.services?.total ?? unexplained.length}：${names} Services paused`,
    });
  }
  if (hb.system.diskFreeBytes !== null && hb.system.diskFreeBytes < opts.diskLowBytes) {
    const mb = Math.round(hb.system.diskFreeBytes / 1024 / 1024);
    out.push({ code: 'disk', severity: 'warning', message: `磁盘空间不足 (${mb} MB) Disk space low` });
  }
  const backlog = opts.outboxBacklogEvents ?? thresholds.outboxBacklogEvents;
  if (hb.outbox.depth > backlog) {
    out.push({
      code: 'outbox',
      severity: 'warning',
      message: `事件积压 ${hb.outbox.depth} 条 Outbox backlog: ${hb.outbox.depth} events`,
    });
  }
  return out;
}

export const offlineCondition: Condition = { code: 'offline', severity: 'error', message: '终端离线 Kiosk offline' };

/** Offline wins; otherwise the worst severity among heartbeat conditions and unacknowledged event alerts. */
export function fleetState(offline: boolean, severities: Iterable<Severity>): FleetState {
  if (offline) return 'offline';
  let worst: FleetState = 'online';
  for (const s of severities) {
    if (s === 'error') return 'error';
    worst = 'warning';
  }
  return worst;
}

/**
 * Adds this beat's counters to the kiosk's running totals. Within one boot the counters only grow,
 * so the difference to the last accepted beat is new work; a new boot id starts again from zero.
 */
export function addCounters(
  totals: HealthCounters,
  prevBoot: { bootId: string | null; counters: HealthCounters | null },
  bootId: string,
  counters: HealthCounters,
): HealthCounters {
  const base = prevBoot.bootId === bootId ? prevBoot.counters : null;
  const d = (k: CounterName): number => {
    const before = base?.[k] ?? 0;
    return counters[k] >= before ? counters[k] - before : counters[k];
  };
  return {
    sessionsStarted: totals.sessionsStarted + d('sessionsStarted'),
    sessionsCompleted: totals.sessionsCompleted + d('sessionsCompleted'),
    transactions: totals.transactions + d('transactions'),
    transactionsFailed: totals.transactionsFailed + d('transactionsFailed'),
  };
}

export const zeroCounters: HealthCounters = { sessionsStarted: 0, sessionsCompleted: 0, transactions: 0, transactionsFailed: 0 };
