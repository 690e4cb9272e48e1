import { Counter, Gauge, Registry } from 'prom-client';
import { ExpositionBuilder, families, healthSamples, type Sample } from '@kiosk/contracts/figures';
import { fleetStates, rejectReasons } from '@kiosk/contracts/heartbeat';
import { registerDefaultMetrics } from '@kiosk/platform';
import type { Fleet, KioskRecord } from './fleet.js';

export interface CentralMetrics {
  registry: Registry;
  heartbeats: Counter;
  rejected: Counter<'reason'>;
  /** Body bytes read from kiosk requests before their signature was checked. */
  bodyBytes: Counter;
  events: Counter;
  /** Full /metrics text: central's own figures, then one block per fleet family. */
  render(now?: number): Promise<string>;
}

/**
 * Central's /metrics. Its own process and request figures go through prom-client; the fleet
 * figures (one set per kiosk, tens of thousands of series) are written straight from the
 * in-memory fleet with the same family definitions the agent uses.
 */
export function createCentralMetrics(fleet: Fleet): CentralMetrics {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const heartbeats = new Counter({
    name: 'central_heartbeats_received_total',
    help: 'Signed heartbeats accepted from kiosks.',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'central_requests_rejected_total',
    help: 'Kiosk requests refused, by reason (unsigned, bad-signature, stale, replay, too-large, busy; unknown kiosks count as bad-signature).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const r of rejectReasons) rejected.inc({ reason: r }, 0);
  const bodyBytes = new Counter({
    name: 'central_request_body_bytes_total',
    help: 'Body bytes read from signed kiosk requests (read before the signature is known to match).',
    registers: [registry],
  });
  const events = new Counter({
    name: 'central_events_applied_total',
    help: 'Outbox events applied (duplicates excluded).',
    registers: [registry],
  });
  new Gauge({
    name: 'central_fleet_kiosks',
    help: 'Kiosks per fleet state.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const n = Object.fromEntries(fleetStates.map((s) => [s, 0])) as Record<string, number>;
      for (const k of fleet.all()) n[k.state] = (n[k.state] ?? 0) + 1;
      for (const s of fleetStates) this.set({ state: s }, n[s] ?? 0);
    },
  });
  new Gauge({
    name: 'central_open_alerts',
    help: 'Alerts not resolved yet, by severity.',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      const open = await fleet.alerts.allOpen();
      this.set({ severity: 'warning' }, open.filter((a) => a.severity === 'warning').length);
      this.set({ severity: 'error' }, open.filter((a) => a.severity === 'error').length);
    },
  });

  function kioskSamples(k: KioskRecord, now: number): Sample[] {
    const samples: Sample[] = [
      { family: families.up, labels: {}, value: k.state === 'offline' ? 0 : 1 },
      { family: families.fleetState, labels: { state: k.state }, value: 1 },
    ];
    if (k.lastSeenAt !== null) samples.push({ family: families.lastHeartbeat, labels: {}, value: k.lastSeenAt / 1000 });
    if (k.last) {
      samples.push(
        ...healthSamples({
          ...k.last,
          // Totals across agent restarts, so the counters never go backwards at central.
          counters: k.totals,
          outboxDepth: k.last.outbox.depth,
          takenAtMs: k.lastSeenAt ?? now,
        }),
      );
    }
    return samples;
  }

  /**
   * A big fleet is hundreds of thousands of lines (~0.3 s of work for 10,000 kiosks): build it in
   * slices and let heartbeats in between, so a scrape never stalls the kiosks.
   */
  async function fleetText(now: number): Promise<string> {
    const b = new ExpositionBuilder();
    let n = 0;
    for (const k of [...fleet.all()]) {
      b.add({ kiosk: k.id, site: k.site }, kioskSamples(k, now));
      if (++n % 250 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return b.text();
  }

  return {
    registry,
    heartbeats,
    rejected,
    bodyBytes,
    events,
    async render(now = Date.now()) {
      return (await registry.metrics()) + (await fleetText(now));
    },
  };
}
