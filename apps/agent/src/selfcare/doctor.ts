import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { resolvePath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { freeBytes } from './disk.js';
import { judgeClock } from './clock.js';
import { fetchJson } from '@kiosk/platform';

export type Level = 'OK' | 'WARN' | 'FAIL';
export interface Check {
  level: Level;
  name: string;
  detail: string;
  /** What to do about it; "nothing to do" when OK. */
  action: string;
}

const rank: Record<Level, number> = { OK: 0, WARN: 1, FAIL: 2 };
export const worstOf = (checks: readonly Check[]): Level =>
  checks.reduce<Level>((w, c) => (rank[c.level] > rank[w] ? c.level : w), 'OK');
export const exitCodeOf = (level: Level): number => rank[level];
export const formatCheck = (c: Check): string => `${c.level} ${c.name}: ${c.detail} — ${c.action}`;

const ok = (name: string, detail: string): Check => ({ level: 'OK', name, detail, action: 'nothing to do' });
const warn = (name: string, detail: string, action: string): Check => ({ level: 'WARN', name, detail, action });
const fail = (name: string, detail: string, action: string): Check => ({ level: 'FAIL', name, detail, action });

/** What the agent's /healthz tells (modules merge their parts in). */
interface Health {
  status: string;
  mode?: string;
  devices?: Record<string, string>;
  central?: { ok: boolean | null; error: string | null; reason: string | null; state: string | null; beatsAccepted: number };
  upstreams?: Record<string, string>;
  ui?: { lastPingAt: string | null };
}

async function getJson(
  url: string,
  timeoutMs: number,
): Promise<{ status: number; body: unknown; date: string | null; sentAt: number; answeredAt: number }> {
  const sentAt = Date.now();
  const res = await fetchJson(url, { timeoutMs });
  return {
    status: res.status,
    body: res.parsed && res.text.length ? res.json : res.text,
    date: res.headers.get('date'),
    sentAt,
    answeredAt: Date.now(),
  };
}

const mb = (n: number): string => `${Math.round(n / 1048576)} MB`;
const errText = (err: unknown): string =>
  err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);

function dataDirChecks(config: KioskConfig): Check[] {
  const dir = resolvePath(config.dataDir);
  if (!existsSync(dir))
    return [
      fail(
        'data-dir',
        `${dir} does not exist`,
        'run scripts/install-kiosk.sh (creates /var/lib/kiosk) or create it for the agent user',
      ),
    ];
  const out: Check[] = [];
  const st = statSync(dir);
  try {
    accessSync(dir, constants.W_OK | constants.R_OK);
    if (st.mode & 0o002)
      out.push(warn('data-dir', `${dir} is writable by everyone (mode ${(st.mode & 0o777).toString(8)})`, `chmod 0750 ${dir}`));
    else if (st.mode & 0o005)
      out.push(warn('data-dir', `${dir} is readable by everyone (mode ${(st.mode & 0o777).toString(8)})`, `chmod 0750 ${dir}`));
    else out.push(ok('data-dir', `${dir} writable, mode ${(st.mode & 0o777).toString(8)}`));
  } catch {
    out.push(
      fail(
        'data-dir',
        `${dir} is not writable by uid ${process.getuid?.()}`,
        `run the doctor as the agent user (sudo -u kiosk …) or chown kiosk:kiosk ${dir}`,
      ),
    );
  }
  const free = freeBytes(dir);
  const min = config.selfcare.disk.minFreeBytes;
  if (free < min)
    out.push(
      fail(
        'disk',
        `${mb(free)} free, below ${mb(min)}`,
        'free space (journalctl --vacuum-size=100M, old files) or raise the disk',
      ),
    );
  else if (free < 2 * min)
    out.push(warn('disk', `${mb(free)} free, less than twice ${mb(min)}`, 'free space before the kiosk goes out of service'));
  else out.push(ok('disk', `${mb(free)} free`));
  return out;
}

const deviceAdvice: Record<string, string> = {
  offline: 'check the cable and power; the agent reconnects by itself',
  noDevice: 'plug the device in and check its udev name (ls -l /dev/kiosk-*)',
  hardwareError: 'see the maintenance panel; power-cycle the device',
  userError: 'needs someone on site (paper, card jam, cover)',
  deviceBusy: 'wait, then run the doctor again',
  starting: 'wait a few seconds, then run the doctor again',
};

function devicePath(config: KioskConfig, kind: string): string | null {
  const d = (
    config.devices as Record<
      string,
      { transport?: { kind: string; path?: string }; source?: { kind: string; device?: string } } | undefined
    >
  )[kind];
  if (d?.transport && 'path' in d.transport && d.transport.path) return resolvePath(d.transport.path);
  if (d?.source?.kind === 'v4l2' && d.source.device) return d.source.device;
  return null;
}

function deviceChecks(config: KioskConfig, health: Health | null): Check[] {
  const enabled = Object.entries(config.devices)
    .filter(([, d]) => d?.enabled)
    .map(([k]) => k);
  return enabled.map((kind) => {
    const name = `device ${kind}`;
    const state = health?.devices?.[kind];
    const path = devicePath(config, kind);
    if (state === 'online') return ok(name, `online${path ? ` (${path})` : ''}`);
    if (state) {
      const level = state === 'starting' || state === 'deviceBusy' ? warn : fail;
      return level(
        name,
        `${state}${path ? ` (${path}${existsSync(path) ? '' : ', missing'})` : ''}`,
        deviceAdvice[state] ?? 'see the maintenance panel',
      );
    }
    // The agent is not answering: presence of the device node is all we can see.
    if (!path) return warn(name, 'agent not running; cannot ask the device', 'start the agent, then run the doctor again');
    return existsSync(path)
      ? warn(name, `${path} present; agent not running to ask it`, 'start the agent (systemctl start kiosk-agent)')
      : fail(name, `${path} missing`, 'plug the device in; check deploy.usb ids and the udev rule (udevadm info -a)');
  });
}

function centralChecks(health: Health | null): Check[] {
  const c = health?.central;
  if (!c) return [];
  if (c.ok === true) return [ok('central', `heartbeats accepted (${c.beatsAccepted}), fleet state ${c.state ?? '?'}`)];
  if (c.ok === null) return [warn('central', 'no heartbeat sent yet', 'wait one heartbeat interval, then run the doctor again')];
  if (c.reason === 'bad-signature' || c.reason === 'unknown-kiosk' || c.reason === 'unsigned') {
    return [
      fail(
        'central',
        `central refuses our heartbeats: ${c.reason}`,
        "make kiosk.id and central.secret match this kiosk's entry in central's config",
      ),
    ];
  }
  if (c.reason === 'stale')
    return [fail('central', 'central refuses our heartbeats as stale (clock)', 'fix the clock (timedatectl, NTP)')];
  return [fail('central', `heartbeats failing: ${c.error ?? c.reason ?? 'unknown'}`, 'check the network and central.url')];
}

async function clockCheck(config: KioskConfig): Promise<Check> {
  try {
    const r = await getJson(`${config.central.url.replace(/\/+$/, '')}/healthz`, 5000);
    if (!r.date) return warn('clock', 'central sent no Date header', 'compare the clock with central by hand (date -u)');
    // HTTP dates have whole seconds: allow one second more uncertainty.
    const offsetMs = Date.parse(r.date) + 500 - (r.sentAt + r.answeredAt) / 2;
    const v = judgeClock(offsetMs, (r.answeredAt - r.sentAt) / 2 + 500, config.selfcare.clock);
    if (v.level === 'ok') return ok('clock', `${v.offsetSeconds} s from central`);
    if (v.level === 'warn')
      return warn(
        'clock',
        `${v.offsetSeconds} s from central`,
        'check time sync (timedatectl status; systemd-timesyncd or chrony)',
      );
    return fail(
      'clock',
      `${v.offsetSeconds} s from central: the kiosk must not serve`,
      'set the clock and enable NTP (timedatectl set-ntp true)',
    );
  } catch (err) {
    return fail(
      'clock',
      `central unreachable at ${config.central.url}: ${errText(err)}`,
      'check the network and central.url; the clock cannot be compared',
    );
  }
}

async function upstreamChecks(config: KioskConfig, health: Health | null): Promise<Check[]> {
  const out: Check[] = [];
  try {
    const r = await getJson(`${config.upstream.baseUrl.replace(/\/+$/, '')}/healthz`, config.upstream.timeoutMs);
    out.push(
      r.status === 200
        ? ok('upstream gateway', `${config.upstream.baseUrl} healthy`)
        : fail(
            'upstream gateway',
            `${config.upstream.baseUrl}/healthz answered ${r.status}`,
            'ask the gateway operators; services needing it show unavailable',
          ),
    );
  } catch (err) {
    out.push(
      fail(
        'upstream gateway',
        `${config.upstream.baseUrl} unreachable: ${errText(err)}`,
        'check the network, proxy and upstream.baseUrl',
      ),
    );
  }
  for (const [name, state] of Object.entries(health?.upstreams ?? {})) {
    out.push(
      state === 'up'
        ? ok(`upstream ${name}`, 'breaker closed')
        : fail(
            `upstream ${name}`,
            'breaker open after repeated failures',
            'check that back end; the tiles needing it are greyed until it answers',
          ),
    );
  }
  return out;
}

function browserCheck(health: Health | null, agentUrl: string): Check[] {
  if (!health) return [];
  const last = health.ui?.lastPingAt ? Date.parse(health.ui.lastPingAt) : null;
  if (last === null)
    return [
      warn(
        'browser',
        'no kiosk screen has pinged the agent since it started',
        `open ${agentUrl}/ in Chromium (on a kiosk: systemctl status kiosk-browser)`,
      ),
    ];
  const age = Math.round((Date.now() - last) / 1000);
  if (age <= 45) return [ok('browser', `kiosk screen alive (last ping ${age} s ago)`)];
  return [
    fail(
      'browser',
      `kiosk screen silent for ${age} s`,
      'systemctl restart kiosk-browser (the agent does this itself when selfcare is on)',
    ),
  ];
}

/** Every check, in the order a field engineer reads them. */
export async function runDoctor(config: KioskConfig, configPath: string): Promise<Check[]> {
  const checks: Check[] = [ok('config', `${configPath} valid (kiosk ${config.kiosk.id})`)];
  checks.push(...dataDirChecks(config));
  const agentUrl = `http://${config.agent.host === '0.0.0.0' ? '127.0.0.1' : config.agent.host}:${config.agent.port}`;
  let health: Health | null = null;
  try {
    const r = await getJson(`${agentUrl}/healthz`, 5000);
    if (r.status === 200) {
      health = r.body as Health;
      checks.push(
        health.mode === 'in-service'
          ? ok('agent', `ready at ${agentUrl}, in service`)
          : warn(
              'agent',
              `ready at ${agentUrl}, mode ${health.mode}`,
              'see the out-of-service reason on the screen or central; staff can return it to service',
            ),
      );
    } else {
      checks.push(
        warn(
          'agent',
          `${agentUrl} answers ${r.status} (${JSON.stringify(r.body).slice(0, 60)})`,
          'still starting (recovery); run the doctor again shortly',
        ),
      );
    }
  } catch (err) {
    checks.push(
      fail(
        'agent',
        `not answering at ${agentUrl}: ${errText(err)}`,
        'start it: systemctl start kiosk-agent (journalctl -u kiosk-agent), or npm start',
      ),
    );
  }
  checks.push(...deviceChecks(config, health));
  checks.push(await clockCheck(config));
  checks.push(...centralChecks(health));
  checks.push(...(await upstreamChecks(config, health)));
  checks.push(...browserCheck(health, agentUrl));
  return checks;
}
