import WebSocket from 'ws';
import type { Db } from '@kiosk/platform';
import { wsPath } from '../api/ws-server.js';
import type { HealthProbe } from './systemd-notify.js';

export interface ProbeTarget {
  /** The agent's own origin, e.g. http://127.0.0.1:5846. */
  url: string;
  token: string;
  db: Db;
}

/** The store answers a query (a closed or corrupt database throws). */
function storeProbe(db: Db): HealthProbe {
  return async () => {
    if (!db.open) return 'database closed';
    return db.prepare('SELECT 1').pluck().get() === 1 ? null : 'SELECT 1 gave no row';
  };
}

/**
 * The WebSocket server answers a real command, exactly as the kiosk UI talks to it: an upgrade
 * with the page's origin and token, then `Common.Status` to completion.
 */
function websocketProbe(target: Pick<ProbeTarget, 'url' | 'token'>, timeoutMs: number): HealthProbe {
  return () =>
    new Promise((resolve) => {
      const wsUrl = `${target.url.replace(/^http/, 'ws')}${wsPath}?token=${encodeURIComponent(target.token)}`;
      const ws = new WebSocket(wsUrl, { origin: target.url, handshakeTimeout: timeoutMs });
      const done = (problem: string | null): void => {
        clearTimeout(timer);
        ws.removeAllListeners();
        ws.on('error', () => {});
        ws.terminate();
        resolve(problem);
      };
      const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
      ws.on('open', () =>
        ws.send(JSON.stringify({ header: { name: 'Common.Status', requestId: 1, type: 'command' }, payload: {} })),
      );
      ws.on('message', (data) => {
        try {
          const msg = JSON.parse(
            Buffer.isBuffer(data)
              ? data.toString('utf8')
              : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
          ) as { header?: { type?: string; completionCode?: string } };
          if (msg.header?.type === 'completion')
            done(msg.header.completionCode === 'success' ? null : `Common.Status: ${msg.header.completionCode}`);
        } catch {
          done('unparsable reply');
        }
      });
      ws.on('error', (err) => done(err.message));
      ws.on('close', () => done('closed before answering'));
    });
}

export function agentProbes(target: ProbeTarget, timeoutMs: number): Record<string, HealthProbe> {
  return { store: storeProbe(target.db), websocket: websocketProbe(target, timeoutMs) };
}
