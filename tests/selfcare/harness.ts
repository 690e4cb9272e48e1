import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createLogger } from '@kiosk/platform';
import type { AgentModuleFactory } from '../../apps/agent/src/modules.js';
import { createMonitorModuleWith } from '../../apps/agent/src/monitor/module.js';
import { createSelfcareModuleWith, type SelfcareOptions } from '../../apps/agent/src/selfcare/module.js';
import { testConfig } from '../helpers/config.js';

/** A stand-in central: answers heartbeats with its own (adjustable) clock and records events. */
export interface FakeCentral {
  url: string;
  /** Central's clock minus the real one, ms. */
  skewMs: number;
  heartbeats: number;
  /** The body of the last heartbeat received. */
  lastHeartbeat: Record<string, unknown> | null;
  /** Requests refused as stale (signed further than maxSkewMs from central's clock). */
  staleRejections: number;
  maxSkewMs: number;
  events: { type: string; payload: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function fakeCentral(): Promise<FakeCentral> {
  const state = {
    skewMs: 0,
    heartbeats: 0,
    staleRejections: 0,
    maxSkewMs: Infinity,
    lastHeartbeat: null as Record<string, unknown> | null,
    events: [] as FakeCentral['events'],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      res.setHeader('content-type', 'application/json');
      // Like central (apps/central/src/auth.ts): a request signed too far from its clock is refused as
      // stale, with central's time so the kiosk can sign with it.
      const signedAt = Number(req.headers['x-kiosk-timestamp']);
      if (Math.abs(Date.now() + state.skewMs - signedAt) > state.maxSkewMs) {
        state.staleRejections++;
        res.statusCode = 401;
        res.end(
          JSON.stringify({
            ok: false,
            reason: 'stale',
            error: 'request time too far off',
            serverTime: new Date(Date.now() + state.skewMs).toISOString(),
          }),
        );
        return;
      }
      if (req.url?.endsWith('/heartbeats')) {
        state.heartbeats++;
        state.lastHeartbeat = body;
        res.end(
          JSON.stringify({
            ok: true,
            serverTime: new Date(Date.now() + state.skewMs).toISOString(),
            state: 'online',
            eventsAckedSeq: 0,
            commands: [],
          }),
        );
      } else if (req.url?.endsWith('/events')) {
        const evs = (body.events ?? []) as { seq: number; type: string; payload: Record<string, unknown> }[];
        state.events.push(...evs.map((e) => ({ type: e.type, payload: e.payload })));
        res.end(JSON.stringify({ ok: true, ackedSeq: Math.max(0, ...evs.map((e) => e.seq)) }));
      } else {
        res.end(JSON.stringify({ ok: true, acked: [] }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

/** An agent with just the monitor and self-care modules, talking to `central`. */
export async function selfcareAgent(
  central: FakeCentral,
  adjust: (c: KioskConfig) => void,
  options: SelfcareOptions = {},
  extraModules: AgentModuleFactory[] = [],
): Promise<Agent> {
  const config = testConfig((c) => {
    c.central.url = central.url;
    c.central.heartbeatIntervalMs = 1000;
    c.selfcare.enabled = true;
    adjust(c);
  });
  return startAgent(config, {
    logger: createLogger('test', 'silent'),
    modules: [
      ...extraModules,
      createMonitorModuleWith({ screenshot: async () => new Uint8Array() }),
      createSelfcareModuleWith({ tickMs: 50, ...options }),
    ],
  });
}

/** Resolves once `test` holds, polling (tests wait on states, not on time). */
export async function until(test: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
