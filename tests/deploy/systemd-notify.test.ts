import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { projectRoot } from '@kiosk/kiosk-config';
import { createLogger } from '@kiosk/platform';
import { startSystemdIntegration } from '../../apps/agent/src/selfcare/systemd.js';
import type { SystemdNotifier } from '../../apps/agent/src/selfcare/systemd-notify.js';
import { tempDir, testConfig, writeConfig } from '../helpers/config.js';

/**
 * What systemd would receive: a real unix datagram socket bound where NOTIFY_SOCKET points,
 * collecting every datagram the agent sends.
 */
interface Listener {
  path: string;
  messages: string[];
  /** Resolves with the index of the first message (at or after `from`) matching `test`. */
  waitFor(test: (m: string) => boolean, from?: number): Promise<number>;
  close(): void;
}

function listen(): Listener {
  const require = createRequire(import.meta.url);
  const unix = require('unix-dgram') as {
    createSocket(t: 'unix_dgram', fn: (buf: Buffer) => void): { bind(p: string): void; close(): void };
  };
  const path = join(tempDir('kiosk-notify-'), 'notify.sock');
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  const socket = unix.createSocket('unix_dgram', (buf) => {
    messages.push(buf.toString());
    waiters.forEach((w) => w());
  });
  socket.bind(path);
  return {
    path,
    messages,
    waitFor(test, from = 0) {
      return new Promise((resolve) => {
        const check = (): void => {
          const i = messages.findIndex((m, idx) => idx >= from && test(m));
          if (i >= 0) {
            waiters.delete(check);
            resolve(i);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => socket.close(),
  };
}

const log = createLogger('test', 'silent');
let agent: Agent | undefined;
let notifier: SystemdNotifier | undefined;
let listener: Listener | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  notifier?.close();
  listener?.close();
  child?.kill('SIGKILL');
  await agent?.stop().catch(() => {});
  agent = notifier = listener = child = undefined;
});

async function startWithWatchdog(): Promise<{ agent: Agent; listener: Listener }> {
  agent = await startAgent(testConfig(), { logger: log });
  listener = listen();
  // WatchdogSec=0.4s: pings every 200 ms.
  notifier = await startSystemdIntegration(agent, { NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '400000' }, log);
  return { agent, listener };
}

/** Index of the n-th message from `from` on that matches. */
async function nth(l: Listener, n: number, test: (m: string) => boolean, from: number): Promise<number> {
  let i = from - 1;
  for (let k = 0; k < n; k++) i = await l.waitFor(test, i + 1);
  return i;
}

describe('systemd notify and watchdog', () => {
  it('sends READY=1 with its PID, then WATCHDOG=1 repeatedly while healthy', async () => {
    const { listener: l } = await startWithWatchdog();
    const ready = await l.waitFor((m) => m.startsWith('READY=1'));
    expect(l.messages[ready]).toContain(`MAINPID=${process.pid}`);
    await nth(l, 3, (m) => m === 'WATCHDOG=1', ready);
  });

  it('withholds WATCHDOG=1 once the store is broken, and says why in STATUS=', async () => {
    const { agent: a, listener: l } = await startWithWatchdog();
    await l.waitFor((m) => m === 'WATCHDOG=1');
    a.db.close();
    // (Matched by reason: on a loaded machine a short event-loop stall may be reported too.)
    const first = await l.waitFor((m) => m.startsWith('STATUS=unhealthy') && m.includes('store: database closed'));
    const third = await nth(l, 3, (m) => m.startsWith('STATUS=unhealthy'), first);
    expect(l.messages.slice(first, third + 1)).not.toContain('WATCHDOG=1');
  });

  it('withholds WATCHDOG=1 when the WebSocket server no longer answers', async () => {
    const { agent: a, listener: l } = await startWithWatchdog();
    await l.waitFor((m) => m === 'WATCHDOG=1');
    await a.ws.close();
    const first = await l.waitFor((m) => m.startsWith('STATUS=unhealthy') && m.includes('websocket:'));
    const third = await nth(l, 3, (m) => m.startsWith('STATUS=unhealthy'), first);
    expect(l.messages.slice(first, third + 1)).not.toContain('WATCHDOG=1');
  });

  it('withholds WATCHDOG=1 while the event loop is blocked', async () => {
    const { listener: l } = await startWithWatchdog();
    const from = await l.waitFor((m) => m === 'WATCHDOG=1');
    // Block the loop for well over half the interval (the threshold), as a runaway computation would.
    const until = Date.now() + 600;
    while (Date.now() < until) {
      // busy
    }
    const bad = await l.waitFor((m) => m.startsWith('STATUS=unhealthy') && m.includes('event loop: stalled'), from);
    // And it recovers by itself once the loop is free again.
    await l.waitFor((m) => m === 'WATCHDOG=1', bad);
  });

  it('the agent process (main.ts) notifies READY=1 from its own PID and STOPPING=1 on SIGTERM', async () => {
    listener = listen();
    const config = testConfig((c) => {
      c.devices.idcard.enabled = false;
      c.devices.printer.enabled = false;
      c.devices.camera.enabled = false;
      if (c.devices.gascard) c.devices.gascard.enabled = false;
      c.voice.enabled = false;
    });
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'apps/agent/src/main.ts'), '--config', writeConfig(config)],
      {
        env: { ...process.env, NOTIFY_SOCKET: listener.path, WATCHDOG_USEC: '2000000' },
        stdio: 'ignore',
      },
    );
    const ready = await listener.waitFor((m) => m.startsWith('READY=1'));
    expect(listener.messages[ready]).toContain(`MAINPID=${child.pid}`);
    await listener.waitFor((m) => m === 'WATCHDOG=1', ready);
    child.kill('SIGTERM');
    await listener.waitFor((m) => m === 'STOPPING=1', ready);
  }, 60_000);

  it('does nothing without NOTIFY_SOCKET (npm start, tests)', async () => {
    agent = await startAgent(testConfig(), { logger: log });
    notifier = await startSystemdIntegration(agent, {}, log);
    expect(notifier.active).toBe(false);
  });
});
