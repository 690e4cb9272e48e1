import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '@kiosk/platform';

/**
 * systemd's notify protocol (sd_notify(3)): datagrams like `READY=1` or `WATCHDOG=1` sent to the
 * unix datagram socket named by $NOTIFY_SOCKET. Node has no unix datagram sockets, and spawning
 * `systemd-notify` per ping is both slow and wrong (systemd attributes the message to the child's
 * PID, which NotifyAccess=main ignores), so the datagram goes out through the `unix-dgram`
 * addon from the agent's own PID. (`sd-notify` would do the same through libsystemd but needs
 * libsystemd-dev to build; unix-dgram needs only a compiler and is widely used.)
 */
interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, callback: (err?: Error) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): void;
}
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}
const require = createRequire(import.meta.url);

/** One health probe: null when fine, else why not (goes to systemd's STATUS= and the log). */
export type HealthProbe = () => Promise<string | null>;

export interface SystemdNotifyOptions {
  /** NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID come from here (process.env in production). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The agent's parts that must be healthy for a watchdog ping (store, WebSocket server …). */
  probes: Record<string, HealthProbe>;
  /** Event-loop stall (worst over one ping interval) above which the loop counts as unhealthy; default: half the interval. */
  maxLoopDelayMs?: number;
}

export interface SystemdNotifier {
  /** Whether systemd asked for notifications at all. */
  readonly active: boolean;
  /** Ping interval (half of WatchdogSec), or null without a watchdog. */
  readonly intervalMs: number | null;
  ready(status?: string): Promise<void>;
  stopping(): Promise<void>;
  /** Stops the watchdog loop and closes the socket. */
  close(): void;
}

/** Half of WatchdogSec (systemd's advice), or null when systemd set no watchdog for this process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  return forUs && Number.isFinite(usec) && usec > 0 ? Math.max(50, Math.floor(usec / 2000)) : null;
}

/**
 * Sends READY=1 when told, then WATCHDOG=1 every half WatchdogSec — but only while the event loop
 * is responsive and every probe passes, so systemd restarts an agent that is alive but broken.
 */
export function createSystemdNotifier(opts: SystemdNotifyOptions): SystemdNotifier {
  const { env, logger: log } = opts;
  let path = env.NOTIFY_SOCKET;
  if (path?.startsWith('@')) {
    // Abstract sockets (some containers) aren't supported by unix-dgram: say so rather than fail silently.
    log.warn({ notifySocket: path }, 'abstract NOTIFY_SOCKET not supported; systemd notifications are off');
    path = undefined;
  }
  const intervalMs = path ? watchdogIntervalMs(env) : null;
  if (!path) {
    return { active: false, intervalMs: null, ready: async () => {}, stopping: async () => {}, close: () => {} };
  }
  const socketPath = path;
  const socket = (require('unix-dgram') as UnixDgramModule).createSocket('unix_dgram');
  socket.on('error', (err) => log.warn({ err: String(err) }, 'systemd notify socket error'));
  const send = (message: string): Promise<void> =>
    new Promise((resolve) => {
      const buf = Buffer.from(message);
      socket.send(buf, 0, buf.length, socketPath, (err) => {
        if (err) log.warn({ err: String(err), message }, 'systemd notify failed');
        resolve();
      });
    });

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let lastStatus = '';
  const loop = monitorEventLoopDelay({ resolution: 20 });
  const maxLoopDelayMs = opts.maxLoopDelayMs ?? (intervalMs ?? 10_000) / 2;

  let dueAt = 0;
  const check = async (): Promise<string[]> => {
    const problems: string[] = [];
    // The worst stall since the last ping: from the histogram, and from this tick's own lateness
    // (the histogram may not have recorded a stall that ended just now).
    const stalled = Math.max(loop.max / 1e6, Date.now() - dueAt);
    loop.reset();
    if (stalled > maxLoopDelayMs) problems.push(`event loop: stalled ${Math.round(stalled)} ms`);
    for (const [name, probe] of Object.entries(opts.probes)) {
      try {
        const problem = await probe();
        if (problem) problems.push(`${name}: ${problem}`);
      } catch (err) {
        problems.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return problems;
  };

  const tick = async (): Promise<void> => {
    const problems = await check();
    if (closed) return;
    if (problems.length === 0) {
      if (lastStatus !== 'healthy') await send('STATUS=healthy');
      lastStatus = 'healthy';
      await send('WATCHDOG=1');
    } else {
      // No WATCHDOG=1: if this lasts WatchdogSec, systemd kills and restarts the agent.
      const status = `unhealthy: ${problems.join('; ')}`.slice(0, 400);
      if (status !== lastStatus) log.error({ problems }, 'agent unhealthy; withholding the systemd watchdog ping');
      lastStatus = status;
      await send(`STATUS=${status}`);
    }
    schedule();
  };
  const schedule = (): void => {
    if (closed || !intervalMs) return;
    dueAt = Date.now() + intervalMs;
    timer = setTimeout(() => void tick(), intervalMs);
  };

  return {
    active: true,
    intervalMs,
    async ready(status = 'ready') {
      await send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
      if (intervalMs && !timer) {
        loop.enable();
        schedule();
        log.info({ intervalMs }, 'systemd watchdog pings on');
      }
    },
    async stopping() {
      await send('STOPPING=1');
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      loop.disable();
      socket.close();
    },
  };
}
