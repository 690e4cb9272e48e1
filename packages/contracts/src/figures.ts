/**
 * The Prometheus figures of one kiosk, shared by the agent's local /metrics and central's fleet
 * /metrics so both use the same names. Pure: a health record in, samples out.
 *
 * Labels: `kiosk` and `site` identify the kiosk (added by the caller); the only other labels are
 * small closed sets (device kind, state, mode) and versions on `kiosk_build_info`. Nothing about a
 * citizen ever becomes a label. Enum-style families carry only the current value (=1): absent means
 * "not in that state", which keeps a 10,000-kiosk scrape small.
 */
import type { DeviceStatus, PaperState } from './device-status.js';
import type { HealthCounters, KioskMode } from './health.js';

export type MetricType = 'gauge' | 'counter';

export interface Family {
  name: string;
  help: string;
  type: MetricType;
  /** Labels besides kiosk and site. */
  labels: readonly string[];
}

const f = (name: string, type: MetricType, help: string, labels: readonly string[] = []): Family => ({
  name,
  type,
  help,
  labels,
});

export const families = {
  up: f('kiosk_up', 'gauge', '1 if central heard from the kiosk within its offline grace period, else 0.'),
  lastHeartbeat: f(
    'kiosk_last_heartbeat_timestamp_seconds',
    'gauge',
    'Unix time central last accepted a heartbeat from the kiosk.',
  ),
  fleetState: f('kiosk_fleet_state', 'gauge', 'Fleet state of the kiosk as central sees it (1 for the current state).', [
    'state',
  ]),
  mode: f('kiosk_mode', 'gauge', 'Operating mode of the kiosk (1 for the current mode).', ['mode']),
  deviceStatus: f('kiosk_device_status', 'gauge', 'Device status in the XFS4IoT vocabulary (1 for the current state).', [
    'device',
    'state',
  ]),
  paper: f('kiosk_printer_paper_state', 'gauge', 'Receipt printer paper state (1 for the current state).', ['state']),
  transactions: f('kiosk_transactions_total', 'counter', 'Services completed at the kiosk.'),
  transactionsFailed: f('kiosk_transactions_failed_total', 'counter', 'Services that ended in a failure.'),
  sessionsStarted: f('kiosk_sessions_started_total', 'counter', 'Citizen sessions started.'),
  sessionsCompleted: f('kiosk_sessions_completed_total', 'counter', 'Citizen sessions that reached the end.'),
  gasPending: f('kiosk_gas_pending_credit_orders', 'gauge', 'Paid gas orders whose credit is not delivered yet.'),
  gasAttention: f('kiosk_gas_needs_attention_orders', 'gauge', 'Gas orders recovery could not settle; an operator must act.'),
  uiAlive: f('kiosk_ui_alive', 'gauge', '1 if the kiosk UI answered its liveness ping recently.'),
  outbox: f('kiosk_outbox_events', 'gauge', 'Events waiting in the kiosk outbox for central.'),
  diskFree: f('kiosk_disk_free_bytes', 'gauge', 'Free space on the file system holding the kiosk data.'),
  memoryFree: f('kiosk_memory_free_bytes', 'gauge', 'Free memory on the kiosk computer.'),
  agentMemory: f('kiosk_agent_resident_memory_bytes', 'gauge', 'Resident memory of the device agent process.'),
  agentStart: f('kiosk_agent_start_time_seconds', 'gauge', 'Unix time the device agent process started.'),
  buildInfo: f('kiosk_build_info', 'gauge', 'Software versions running on the kiosk (always 1).', [
    'agent_version',
    'ui_version',
    'config_hash',
  ]),
} as const;

export interface Sample {
  family: Family;
  labels: Record<string, string>;
  value: number;
}

/** The health facts the figures are made from (a heartbeat has all of them). */
export interface HealthFigures {
  mode: KioskMode;
  devices: Record<string, DeviceStatus>;
  paper: PaperState;
  counters: HealthCounters;
  gas: { creditPending: number; needsAttention: number };
  ui: { alive: boolean };
  versions: { agent: string; ui: string | null };
  configHash: string;
  outboxDepth: number;
  system: {
    uptimeSeconds: number;
    diskFreeBytes: number | null;
    memoryFreeBytes: number;
    memoryRssBytes: number;
  };
  /** When the figures were taken (unix ms); with uptime gives the start time. */
  takenAtMs: number;
}

export function healthSamples(h: HealthFigures): Sample[] {
  const s: Sample[] = [];
  const add = (family: Family, value: number, labels: Record<string, string> = {}): void => {
    s.push({ family, labels, value });
  };
  add(families.mode, 1, { mode: h.mode });
  for (const [device, st] of Object.entries(h.devices)) add(families.deviceStatus, 1, { device, state: st.device });
  add(families.paper, 1, { state: h.paper });
  add(families.transactions, h.counters.transactions);
  add(families.transactionsFailed, h.counters.transactionsFailed);
  add(families.sessionsStarted, h.counters.sessionsStarted);
  add(families.sessionsCompleted, h.counters.sessionsCompleted);
  add(families.gasPending, h.gas.creditPending);
  add(families.gasAttention, h.gas.needsAttention);
  add(families.uiAlive, h.ui.alive ? 1 : 0);
  add(families.outbox, h.outboxDepth);
  if (h.system.diskFreeBytes !== null) add(families.diskFree, h.system.diskFreeBytes);
  add(families.memoryFree, h.system.memoryFreeBytes);
  add(families.agentMemory, h.system.memoryRssBytes);
  add(families.agentStart, Math.round(h.takenAtMs / 1000 - h.system.uptimeSeconds));
  add(families.buildInfo, 1, {
    agent_version: h.versions.agent,
    ui_version: h.versions.ui ?? 'none',
    config_hash: h.configHash.slice(0, 16),
  });
  return s;
}

const escapeLabel = (v: string): string =>
  /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `k1="v1",k2="v2"` for the labels every line of a row shares (kiosk, site). */
export function labelPrefix(common: Record<string, string>): string {
  let out = '';
  for (const k in common) out += `${out ? ',' : ''}${k}="${escapeLabel(common[k]!)}"`;
  return out;
}

/** One exposition line. */
export function sampleLine(prefix: string, smp: Sample): string {
  let labels = prefix;
  for (const k in smp.labels) labels += `${labels ? ',' : ''}${k}="${escapeLabel(smp.labels[k]!)}"`;
  return `${smp.family.name}${labels ? `{${labels}}` : ''} ${formatValue(smp.value)}\n`;
}

export function familyHeader(family: Family): string {
  return `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
}

/** Collects lines per family (a family's lines must be contiguous), in the order families first appear. */
export class ExpositionBuilder {
  private readonly byFamily = new Map<string, { family: Family; lines: string }>();

  add(common: Record<string, string>, samples: readonly Sample[]): void {
    const prefix = labelPrefix(common);
    for (const smp of samples) {
      let g = this.byFamily.get(smp.family.name);
      if (!g) {
        g = { family: smp.family, lines: '' };
        this.byFamily.set(smp.family.name, g);
      }
      g.lines += sampleLine(prefix, smp);
    }
  }

  text(): string {
    let out = '';
    for (const { family, lines } of this.byFamily.values()) out += familyHeader(family) + lines;
    return out;
  }
}

/**
 * Prometheus text format 0.0.4 for samples grouped by family, in the order families first appear.
 * `common` labels (kiosk, site) come first on every line.
 */
export function renderExposition(rows: Iterable<{ common: Record<string, string>; samples: readonly Sample[] }>): string {
  const b = new ExpositionBuilder();
  for (const row of rows) b.add(row.common, row.samples);
  return b.text();
}
