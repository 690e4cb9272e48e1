/**
 * Seeded fuzzing of external inputs (issue 20, "Prove it"): central's signed endpoints with VALID
 * signatures over hostile bodies, kiosk config files, the simulators' control API, upstream
 * answers into each connector (the sandbox's real answers, mangled) and gas card reader frames. No exception escapes, every rejection carries a reason, and the thing fuzzed
 * still works afterwards. Reproducible: FUZZ_SEED picks the seed (default below); FUZZ_SCALE
 * multiplies the case counts (CI: 1, about 27k cases; the full run `FUZZ_SCALE=4 npx vitest run
 * tests/security/fuzz.test.ts` is about 110k, 1,200 of them signed HTTP requests to central).
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCentralConfig } from '../../apps/central/src/config.js';
import { ConfigError, defaultConfigPath, loadConfig, parseConfig } from '@kiosk/kiosk-config';
import {
  CodecError,
  decodeInfoReply,
  decodeReadReply,
  decodeStatusReply,
  decodeWriteReply,
  decodeWriteRequest,
} from '@kiosk/protocol-gascard';
import { createFrameParser, encodeFrame } from '@kiosk/protocol-gascard';
import type { Endpoint } from '@kiosk/contracts/heartbeat';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createGasCardSimulator, type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createIdCardSimulator, type IdCardSimulator } from '../../apps/simulators/src/idcard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { kioskA, signedPost, startTestCentral, validHeartbeat, type TestCentral } from '../central/helpers.js';
import { tempDir } from '../helpers/config.js';
import { createServices, UpstreamError } from '../../apps/agent/src/services/index.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { mulberry32 } from '@kiosk/synthetic';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20261203);
const SCALE = Math.max(1, Number(process.env['FUZZ_SCALE'] ?? 1));

class Gen {
  readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** A string nobody should trust: long, control characters, ID-number shapes, markup, surrogates. */
  string(): string {
    return this.pick([
      () => '',
      () => 'x'.repeat(this.int(5000)),
      () => '\u0000\u0001\u001b[31m\r\n',
      () => '421202198503120610',
      () => '<script>alert(1)</script>',
      () => '__proto__',
      () => '\ud800',
      () => '孙测试'.repeat(this.int(50)),
      () => String.fromCharCode(...Array.from({ length: this.int(40) }, () => this.int(0x10000))),
      () => '9'.repeat(400),
      () => '2026-13-45T99:99:99Z',
    ])();
  }
  number(): number {
    return this.pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, -0, 65536, 0.1]);
  }
  /** A hostile JSON value of bounded depth. */
  value(depth = 0): unknown {
    const k = this.int(depth > 3 ? 4 : 7);
    switch (k) {
      case 0:
        return null;
      case 1:
        return this.rnd() < 0.5;
      case 2:
        return this.number();
      case 3:
        return this.string();
      case 4:
        return Array.from({ length: this.int(6) }, () => this.value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < this.int(6); i++)
          o[this.pick(['__proto__', 'constructor', 'a', 'kioskId', 'seq', 'events', 'type', this.string().slice(0, 20)])] =
            this.value(depth + 1);
        return o;
      }
    }
  }
  /** A valid-looking object with one to three fields replaced, removed or added (recursively). */
  mutate(v: unknown, depth = 0): unknown {
    if (v === null || typeof v !== 'object' || depth > 4) return this.rnd() < 0.3 ? this.value() : v;
    if (Array.isArray(v)) {
      const out = v.map((x) => (this.rnd() < 0.3 ? this.mutate(x, depth + 1) : x));
      if (this.rnd() < 0.2) out.push(this.value());
      if (this.rnd() < 0.1) out.length = 0;
      return out;
    }
    const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const keys = Object.keys(out);
    for (let i = 0, n = 1 + this.int(3); i < n && keys.length; i++) {
      const key = this.pick(keys);
      const r = this.rnd();
      if (r < 0.25) delete out[key];
      else if (r < 0.5) out[key] = this.value();
      else out[key] = this.mutate(out[key], depth + 1);
    }
    if (this.rnd() < 0.2) out[this.string().slice(0, 30) || 'extra'] = this.value();
    return out;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
}

describe('central: valid signatures over hostile bodies', () => {
  let central: TestCentral;
  beforeAll(async () => {
    central = await startTestCentral();
  });
  afterAll(async () => {
    await central?.close();
  });

  it('answers every body with 200 or a 4xx that has a reason; never a 5xx; still works after', async () => {
    const g = new Gen(SEED);
    let seq = 1_000;
    const now = new Date().toISOString();
    const templates: Record<string, () => unknown> = {
      heartbeats: () => validHeartbeat(kioskA.id),
      events: () => ({
        events: [{ seq: ++seq, type: 'device.status', at: now, payload: { device: 'printer', state: 'online' } }],
      }),
      'command-acks': () => ({ acks: [{ id: 'cmd-1', ok: true, finishedAt: now }] }),
    };
    const n = 300 * SCALE;
    const statuses = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const endpoint = g.pick(Object.keys(templates)) as Endpoint;
      const kind = g.int(10);
      const body =
        kind === 0
          ? g.bytes(g.int(200)).toString('latin1')
          : kind === 1
            ? JSON.stringify(g.value())
            : kind === 2
              ? JSON.stringify(templates[endpoint]!()).slice(0, g.int(200))
              : JSON.stringify(g.mutate(templates[endpoint]!()));
      const r = await signedPost(central.url, endpoint, body, { kioskId: kioskA.id, secret: kioskA.secret, seq: ++seq }).catch(
        (err: unknown) => {
          throw new Error(`case ${i} (seed ${SEED}) ${endpoint} ${body.slice(0, 200)}: ${String(err)}`);
        },
      );
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      expect(r.status, `case ${i} (seed ${SEED}) ${endpoint} ${body.slice(0, 300)}`).toBeLessThan(500);
      if (r.status !== 200) {
        expect(r.status, `case ${i}`).toBeGreaterThanOrEqual(400);
        expect(
          typeof (r.body['reason'] ?? r.body['error']),
          `case ${i}: a rejection names its reason: ${JSON.stringify(r.body)}`,
        ).toBe('string');
      }
    }
    // Hostile bodies must actually have been refused (the fuzzer reaches the validation).
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    const ok = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
      kioskId: kioskA.id,
      secret: kioskA.secret,
      seq: ++seq,
    });
    expect(ok.status).toBe(200);
  }, 300_000);
});

describe('config files', () => {
  it('every mutated kiosk config is either accepted or refused with a ConfigError naming the field', () => {
    const g = new Gen(SEED + 1);
    const base = JSON.parse(JSON.stringify(loadConfig(defaultConfigPath))) as unknown;
    const n = 5_000 * SCALE;
    let refused = 0;
    for (let i = 0; i < n; i++) {
      const candidate = g.mutate(base);
      try {
        parseConfig(candidate);
      } catch (err) {
        refused++;
        expect(err, `case ${i} (seed ${SEED})`).toBeInstanceOf(ConfigError);
        expect((err as Error).message.length).toBeGreaterThan(0);
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('files that are not JSON, or JSON of the wrong kind, are refused with a ConfigError', () => {
    const g = new Gen(SEED + 2);
    for (let i = 0; i < 50 * SCALE; i++) {
      const text = g.int(2) ? g.bytes(g.int(300)).toString('latin1') : JSON.stringify(g.value());
      const file = join(tempDir('kiosk-fuzz-config-'), 'kiosk.json');
      writeFileSync(file, text);
      try {
        loadConfig(file);
      } catch (err) {
        expect(err, `case ${i}: ${text.slice(0, 80)}`).toBeInstanceOf(ConfigError);
      }
    }
  });

  it('every mutated central config is accepted or refused with an Error that says why', () => {
    const g = new Gen(SEED + 3);
    const base = { listen: { host: '127.0.0.1', port: 5850 }, kiosks: [kioskA], dashboard: { users: [] } };
    for (let i = 0; i < 2_000 * SCALE; i++) {
      try {
        parseCentralConfig(g.mutate(base));
      } catch (err) {
        expect(err, `case ${i}`).toBeInstanceOf(Error);
        expect((err as Error).message.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('simulator control inputs', () => {
  let idcard: IdCardSimulator;
  let printer: PrinterSimulator;
  let gascard: GasCardSimulator;
  let server: Server;
  let url = '';
  beforeAll(async () => {
    const dir = tempDir('kiosk-fuzz-sim-');
    idcard = createIdCardSimulator({ agentPath: join(dir, 'idcard'), devicePath: join(dir, 'idcard-dev') });
    printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
    gascard = createGasCardSimulator({
      agentPath: join(dir, 'gascard'),
      devicePath: join(dir, 'gascard-dev'),
      stateFile: join(dir, 'gas.json'),
    });
    for (const s of [idcard, printer, gascard]) await s.start();
    server = createControlApp([idcard, printer, gascard]).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await Promise.allSettled([idcard, printer, gascard].map((s) => s?.stop()));
  });

  it('hostile bodies on every POST route: 2xx or a 4xx with an error, never a 5xx; the simulators keep answering', async () => {
    const g = new Gen(SEED + 4);
    const routes = [
      ['/idcard/card', { profile: 'xianan-resident' }],
      ['/idcard/fault', { kind: 'silent', count: 1 }],
      ['/idcard/personality', { preset: 'standard' }],
      ['/printer/state', { paper: 'full' }],
      ['/printer/personality', { receiveBufferBytes: 4096 }],
      ['/gascard/card', { profile: 'icCard' }],
      ['/gascard/fault', { kind: 'no-reply', count: 1 }],
      ['/gascard/plug', { connected: true }],
      ['/gascard/silent', { silent: false }],
    ] as const;
    const n = 300 * SCALE;
    for (let i = 0; i < n; i++) {
      const [path, template] = g.pick(routes);
      const body =
        g.int(5) === 0 ? g.bytes(g.int(100)).toString('latin1') : JSON.stringify(g.int(2) ? g.mutate(template) : g.value());
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      expect(res.status, `case ${i} (seed ${SEED}) POST ${path} ${body.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
      if (res.status >= 400) expect(typeof (JSON.parse(text) as { error?: unknown }).error, `case ${i}: ${text}`).toBe('string');
    }
    // Put everything back and check each device still answers its control API.
    for (const p of ['/idcard/fault', '/gascard/fault']) await fetch(`${url}${p}`, { method: 'DELETE' });
    for (const [p, b] of [
      ['/gascard/plug', { connected: true }],
      ['/gascard/silent', { silent: false }],
      ['/printer/state', { paper: 'full', silent: false }],
    ] as const) {
      await fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    }
    const state = await fetch(url);
    expect(state.status).toBe(200);
    expect(((await state.json()) as { devices: unknown[] }).devices).toHaveLength(3);
  }, 300_000);
});

describe('upstream answers into each connector', () => {
  let sandbox: TestSandbox;
  let hostile: Server;
  let hostileUrl = '';
  const g = new Gen(SEED + 6);
  beforeAll(async () => {
    sandbox = await startTestSandbox();
    // Forwards each request to the sandbox and hands back a mangled version of its real answer.
    hostile = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers))
            if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
          const body = chunks.length ? Buffer.concat(chunks) : undefined;
          const up = await fetch(`${sandbox.url}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            headers,
            ...(body ? { body } : {}),
          });
          const text = await up.text();
          const kind = g.int(8);
          let status = up.status;
          let out = text;
          if (kind === 0) out = g.bytes(g.int(300)).toString('latin1');
          else if (kind === 1) out = text.slice(0, g.int(text.length + 1));
          else if (kind === 2) status = g.pick([200, 201, 204, 301, 400, 404, 409, 429, 500, 502, 503]);
          else if (kind === 3) out = JSON.stringify(g.value());
          else if (kind < 7) {
            try {
              out = JSON.stringify(g.mutate(JSON.parse(text)));
            } catch {
              out = text;
            }
          }
          res.writeHead(status, { 'content-type': g.int(10) ? 'application/json' : 'text/html' });
          res.end(status === 204 ? undefined : out);
        })().catch(() => res.destroy());
      });
    });
    hostile.listen(0, '127.0.0.1');
    await once(hostile, 'listening');
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => hostile?.close(() => r()));
    await sandbox?.close();
  });

  it('every call resolves with a value that passed the contract, or fails with an UpstreamError with a citizen text', async () => {
    // One breaker trip must not hide later cases: the breaker stays closed for the fuzz.
    const s = createServices({
      baseUrl: hostileUrl,
      timeoutMs: 3000,
      kioskId: 'FUZZ-KIOSK-01',
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 1_000_000, coolDownMs: 1 },
    });
    const person = sandbox.data.people.find((p) => p.tax.length > 0 && p.properties.length > 0)!;
    const year = Number(sandbox.data.asOf.slice(0, 4));
    const calls: [string, () => Promise<unknown>][] = [
      ['property', () => s.property.queryProperties(person.idNumber)],
      ['tax', () => s.tax.queryRecords({ idNumber: person.idNumber, fromYear: year - 2, toYear: year })],
      ['social', () => s.social.queryPayments({ idNumber: person.idNumber, kind: 'resident', fromYear: year - 2, toYear: year })],
      ['gas', () => s.gas.lookupAccount({ accountNo: '8800100001' })],
      ['gas ledger', () => s.gas.ledger(sandbox.data.asOf)],
      ['payment', () => s.payment.queryOrder('GT20260630000000ABCDEF')],
      ['slips', () => s.slips.verify('XN20260630-ABCDEFGHJK')],
    ];
    const n = 200 * SCALE;
    let resolved = 0;
    let rejected = 0;
    for (let i = 0; i < n; i++) {
      const [name, call] = g.pick(calls);
      try {
        await call();
        resolved++;
      } catch (err) {
        rejected++;
        expect(err, `case ${i} (seed ${SEED}) ${name}: ${String(err)}`).toBeInstanceOf(UpstreamError);
        const e = err as UpstreamError;
        expect(e.code, `case ${i}`).toBeTruthy();
        expect(e.citizen, `case ${i}`).toBeTruthy();
      }
    }
    expect(resolved).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  }, 300_000);
});

describe('gas card reader frames', () => {
  it('mutated frames in random chunks: the parser never throws; every frame it emits is intact; decoders throw only CodecError', () => {
    const g = new Gen(SEED + 5);
    const parser = createFrameParser();
    const templates = [
      encodeFrame({ seq: 1, cmd: 0x81, data: Buffer.from([0x00, 0x01]) }),
      encodeFrame({ seq: 2, cmd: 0x82, data: g.bytes(40) }),
      encodeFrame({ seq: 3, cmd: 0x84, data: Buffer.from('\u0000SIM-GASCARD-1\u00001.0.0') }),
      encodeFrame({ seq: 4, cmd: 0x83, data: Buffer.from([0x00, 0x00, 0x07]) }),
    ];
    const decoders = [decodeStatusReply, decodeReadReply, decodeWriteReply, decodeInfoReply, decodeWriteRequest];
    const n = 20_000 * SCALE;
    let frames = 0;
    for (let i = 0; i < n; i++) {
      const t = Buffer.from(g.pick(templates));
      const mutation = g.int(4);
      if (mutation === 1) t[g.int(t.length)] = g.int(256);
      else if (mutation === 2) t.writeUInt8(g.int(256), g.int(t.length));
      const input = mutation === 3 ? g.bytes(g.int(64)) : t;
      let at = 0;
      while (at < input.length) {
        const step = 1 + g.int(16);
        for (const ev of parser.push(input.subarray(at, at + step))) {
          if (ev.type === 'error') {
            expect(['length', 'checksum', 'terminator']).toContain(ev.error.code);
            continue;
          }
          frames++;
          // A frame that came out re-encodes to itself: nothing half-checked gets through.
          expect(encodeFrame(ev.frame).length).toBeGreaterThan(0);
          for (const d of decoders) {
            try {
              d(ev.frame.data);
            } catch (err) {
              expect(err, `case ${i} (seed ${SEED}) ${d.name}`).toBeInstanceOf(CodecError);
            }
          }
        }
        at += step;
      }
    }
    expect(frames).toBeGreaterThan(0);
  });
});
