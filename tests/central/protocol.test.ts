import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MonitorStore } from '../../apps/agent/src/monitor/outbox.js';
import {
  findPersonalData,
  heartbeatSchema,
  nextSequence,
  parseSignedHeaders,
  sign,
  signatureMatches,
  signedHeaders,
} from '@kiosk/contracts/heartbeat';
import { addCounters, fleetState, heartbeatConditions, zeroCounters } from '../../apps/central/src/evaluate.js';
import { openAgentDb, tempDir, validHeartbeat } from './helpers.js';

describe('request signing', () => {
  const f = { endpoint: 'heartbeats' as const, kioskId: 'XN-ZWFW-24H-01', timestamp: 1_700_000_000_123, seq: 42 };
  const body = '{"a":1}';

  it('is HMAC-SHA256 over the documented header lines and the exact body', () => {
    const expected = createHmac('sha256', 'sandbox-only-secret-change-me')
      .update('kiosk-central-v1\nheartbeats\nXN-ZWFW-24H-01\n1700000000123\n42\n{"a":1}')
      .digest('hex');
    expect(sign('sandbox-only-secret-change-me', f, body)).toBe(expected);
    expect(sign('sandbox-only-secret-change-me', f, Buffer.from(body))).toBe(expected);
  });

  it('changes with every signed field', () => {
    const base = sign('s'.repeat(20), f, body);
    expect(sign('s'.repeat(20), { ...f, endpoint: 'events' }, body)).not.toBe(base);
    expect(sign('s'.repeat(20), { ...f, kioskId: 'X' }, body)).not.toBe(base);
    expect(sign('s'.repeat(20), { ...f, timestamp: f.timestamp + 1 }, body)).not.toBe(base);
    expect(sign('s'.repeat(20), { ...f, seq: 43 }, body)).not.toBe(base);
    expect(sign('s'.repeat(20), f, '{"a":2}')).not.toBe(base);
    expect(sign('t'.repeat(20), f, body)).not.toBe(base);
  });

  it('verifies in constant time and refuses malformed signatures', () => {
    const sig = sign('secret-secret-secret', f, body);
    expect(signatureMatches('secret-secret-secret', f, body, sig)).toBe(true);
    expect(signatureMatches('secret-secret-secret', f, body, sig.slice(0, 63))).toBe(false);
    expect(signatureMatches('secret-secret-secret', f, body, 'zz' + sig.slice(2))).toBe(false);
    expect(signatureMatches('secret-secret-secret', f, body, '')).toBe(false);
  });

  it('reads the four headers and says which is wrong', () => {
    const h = signedHeaders('secret-secret-secret', f, body);
    expect(parseSignedHeaders((n) => h[n])).toMatchObject({ ok: true, kioskId: f.kioskId, timestamp: f.timestamp, seq: 42 });
    expect(parseSignedHeaders(() => undefined)).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(parseSignedHeaders((n) => (n === 'x-kiosk-timestamp' ? 'yesterday' : h[n]))).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    expect(parseSignedHeaders((n) => (n === 'x-kiosk-seq' ? '-1' : h[n]))).toMatchObject({ ok: false, reason: 'replay' });
    expect(parseSignedHeaders((n) => (n === 'x-kiosk-id' ? '../etc' : h[n]))).toMatchObject({
      ok: false,
      reason: 'unknown-kiosk',
    });
  });
});

describe('sequence numbers', () => {
  it('never go below the clock and always go up', () => {
    expect(nextSequence(0, 1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(nextSequence(1_700_000_000_500, 1_700_000_000_000)).toBe(1_700_000_000_501);
    expect(nextSequence(5, 4.7)).toBe(6);
  });
});

describe('personal data guard', () => {
  it('finds a string shaped like a resident ID number anywhere in a payload', () => {
    // Synthetic, valid shape and check digit; nobody real.
    expect(findPersonalData({ a: { b: ['x', 'holder 420102199001011236'] } })).toBe('$.a.b[1]');
    expect(findPersonalData({ '420102199001011236': 1 })).toBe('$.<key>');
  });
  it('lets through order numbers, masked ids and other long digit runs', () => {
    expect(
      findPersonalData({ orderRef: 'GAS-20240501-0007', masked: '4201**********1236', serial: '12345678901234567890123' }),
    ).toBeNull();
    // A JSON number cannot carry 18 digits exactly; the scan must not choke on one.
    // eslint-disable-next-line no-loss-of-precision -- the imprecise literal is the case under test
    expect(findPersonalData({ n: 420102199001011236 })).toBeNull();
  });
});

describe('fleet rules', () => {
  const opts = { essentialDevices: ['idcard', 'printer'], diskLowBytes: 1000 };

  it('an essential device down is an error, a non-essential one a warning', () => {
    const c = heartbeatConditions(
      validHeartbeat('K', {
        devices: {
          idcard: { device: 'hardwareError', action: 'maintenance' },
          camera: { device: 'noDevice' },
          printer: { device: 'deviceBusy' },
        },
      }),
      opts,
    );
    expect(c.map((x) => [x.code, x.severity])).toEqual([
      ['device:idcard', 'error'],
      ['device:camera', 'warning'],
    ]);
    expect(c[0]!.message).toContain('身份证阅读器');
  });

  it('paper: out and jammed are errors, low a warning; UI, gas and disk are judged too', () => {
    const paper = (p: 'out' | 'jammed' | 'low' | 'full') =>
      heartbeatConditions(validHeartbeat('K', { paper: p }), opts).map((x) => x.severity);
    expect(paper('out')).toEqual(['error']);
    expect(paper('jammed')).toEqual(['error']);
    expect(paper('low')).toEqual(['warning']);
    expect(paper('full')).toEqual([]);
    const hb = validHeartbeat('K', { ui: { alive: false, lastPingAt: null }, gas: { creditPending: 2, needsAttention: 0 } });
    hb.system.diskFreeBytes = 10;
    expect(heartbeatConditions(hb, opts).map((x) => x.code)).toEqual(['ui', 'gas-pending-credit', 'disk']);
  });

  it('offline wins, then the worst severity', () => {
    expect(fleetState(true, ['warning'])).toBe('offline');
    expect(fleetState(false, [])).toBe('online');
    expect(fleetState(false, ['warning', 'warning'])).toBe('warning');
    expect(fleetState(false, ['warning', 'error'])).toBe('error');
  });

  it('turns per-boot counters into totals that never go backwards', () => {
    const c = (t: number) => ({ ...zeroCounters, transactions: t });
    let totals = addCounters(zeroCounters, { bootId: null, counters: null }, 'b1', c(3));
    expect(totals.transactions).toBe(3);
    totals = addCounters(totals, { bootId: 'b1', counters: c(3) }, 'b1', c(5));
    expect(totals.transactions).toBe(5);
    // Restart: counting starts again from zero in the new boot.
    totals = addCounters(totals, { bootId: 'b1', counters: c(5) }, 'b2', c(1));
    expect(totals.transactions).toBe(6);
    // The same beat twice adds nothing.
    totals = addCounters(totals, { bootId: 'b2', counters: c(1) }, 'b2', c(1));
    expect(totals.transactions).toBe(6);
  });

  it('the heartbeat schema refuses unknown device states and oversize text', () => {
    expect(heartbeatSchema.safeParse(validHeartbeat('K')).success).toBe(true);
    expect(heartbeatSchema.safeParse({ ...validHeartbeat('K'), devices: { printer: { device: 'melted' } } }).success).toBe(false);
    expect(heartbeatSchema.safeParse({ ...validHeartbeat('K'), modeMessage: 'x'.repeat(201) }).success).toBe(false);
  });
});

describe('agent monitor store (outbox, sequence numbers, command log)', () => {
  it('keeps event sequence numbers increasing even after acknowledged rows are deleted', () => {
    const t = tempDir('agent-');
    const db = openAgentDb(t.dir);
    try {
      const s = new MonitorStore(db);
      const now = new Date(1_700_000_000_000);
      const a = s.enqueue('x.one', {}, now);
      const b = s.enqueue('x.two', {}, now);
      expect(b).toBe(a + 1);
      expect(s.ackUpTo(b)).toBe(2);
      expect(s.outboxDepth().depth).toBe(0);
      // Same clock, empty outbox: still above what central has seen.
      expect(s.enqueue('x.three', {}, now)).toBe(b + 1);
      expect(s.nextRequestSeq(1_700_000_000_000)).toBe(1_700_000_000_000);
      expect(s.nextRequestSeq(1_700_000_000_000)).toBe(1_700_000_000_001);
    } finally {
      db.close();
      t.remove();
    }
  });

  it('refuses malformed types, oversize payloads and anything shaped like an ID number', () => {
    const t = tempDir('agent-');
    const db = openAgentDb(t.dir);
    try {
      const s = new MonitorStore(db);
      expect(() => s.enqueue('Bad Type', {})).toThrow(/lower-case/);
      expect(() => s.enqueue('big', { x: 'y'.repeat(20_000) })).toThrow(/over/);
      expect(() => s.enqueue('person', { who: '420102199001011236' })).toThrow(/ID number/);
      expect(s.outboxDepth().depth).toBe(0);
    } finally {
      db.close();
      t.remove();
    }
  });

  it('records each command once and reports one interrupted by a restart as failed', () => {
    const t = tempDir('agent-');
    const db = openAgentDb(t.dir);
    try {
      const s = new MonitorStore(db);
      const cmd = { id: 'c1', kind: 'restart-ui' as const, issuedBy: 'ops', issuedAt: new Date().toISOString() };
      expect(s.receiveCommand(cmd)).toBe(true);
      expect(s.receiveCommand(cmd)).toBe(false);
      expect(s.markRunning('c1')).toBe(true);
      expect(s.markRunning('c1')).toBe(false);
      expect(s.failInterrupted()).toBe(1);
      expect(s.command('c1')).toMatchObject({ status: 'failed' });
      expect(s.unackedResults().map((c) => c.id)).toEqual(['c1']);
      s.markAcked(['c1']);
      expect(s.unackedResults()).toEqual([]);
    } finally {
      db.close();
      t.remove();
    }
  });
});
