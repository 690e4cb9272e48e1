import type { RequestHandler } from 'express';
import { Counter, Gauge, Registry } from 'prom-client';
import { registerDefaultMetrics } from '@kiosk/platform';
import type { HealthSnapshot, HealthSource } from '@kiosk/contracts/health';
import { families, healthSamples, type Family, type Sample } from '@kiosk/contracts/figures';
import type { HeartbeatStatus } from './heartbeat.js';
import { readSystem } from './system.js';

export interface AgentMetricsOptions {
  kioskId: string;
  site: string;
  health: HealthSource;
  /** For disk free; usually the agent's data directory. */
  dataDir: string;
  /** The heartbeat sender, for outbox depth and link figures (optional: metrics work without it). */
  sender?: { lastResult(): HeartbeatStatus };
  /** Node process metrics too. Default true. */
  defaultMetrics?: boolean;
}

export interface AgentMetrics {
  registry: Registry;
  /** Express handler for GET /metrics. */
  handler: RequestHandler;
}

const linkFamilies = {
  lastSuccess: {
    name: 'kiosk_heartbeat_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time central last accepted a heartbeat from this kiosk.',
    labels: [],
  },
  failures: {
    name: 'kiosk_heartbeat_consecutive_failures',
    type: 'gauge',
    help: 'Heartbeats in a row central did not accept (0 when the link is fine).',
    labels: [],
  },
} as const satisfies Record<string, Family>;

/**
 * The agent's local `/metrics`: the same figures the heartbeat carries, for a Prometheus on the
 * kiosk network. Values are read from the HealthSource at scrape time.
 */
export function createAgentMetrics(opts: AgentMetricsOptions): AgentMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) registerDefaultMetrics(registry);
  const common = { kiosk: opts.kioskId, site: opts.site };

  // One snapshot per scrape, shared by every family's collect().
  let pending: { at: number; samples: Promise<Sample[]> } | undefined;
  const samples = (): Promise<Sample[]> => {
    const now = Date.now();
    if (!pending || now - pending.at > 250) {
      pending = {
        at: now,
        samples: Promise.resolve(opts.health.snapshot()).then((h: HealthSnapshot) => {
          const status = opts.sender?.lastResult();
          const out = healthSamples({
            ...h,
            outboxDepth: status?.outboxDepth ?? 0,
            system: readSystem(opts.dataDir),
            takenAtMs: now,
          });
          if (status) {
            if (status.lastSuccessAt)
              out.push({ family: linkFamilies.lastSuccess, labels: {}, value: Date.parse(status.lastSuccessAt) / 1000 });
            out.push({ family: linkFamilies.failures, labels: {}, value: status.consecutiveFailures });
          }
          return out;
        }),
      };
    }
    return pending.samples;
  };

  const all: Family[] = [...Object.values(families), ...Object.values(linkFamilies)].filter(
    // Fleet-only figures: a kiosk does not judge its own fleet state or whether it is up.
    (fam) => fam !== families.up && fam !== families.fleetState && fam !== families.lastHeartbeat,
  );
  for (const fam of all) {
    const labelNames = ['kiosk', 'site', ...fam.labels];
    const fill = async (metric: Gauge | Counter): Promise<void> => {
      metric.reset();
      for (const smp of await samples()) {
        if (smp.family.name !== fam.name) continue;
        const labels = { ...common, ...smp.labels };
        if (metric instanceof Counter) metric.inc(labels, smp.value);
        else metric.set(labels, smp.value);
      }
    };
    // Registered with the registry by construction; filled from the samples on each scrape.
    const Metric = fam.type === 'counter' ? Counter : Gauge;
    new Metric({
      name: fam.name,
      help: fam.help,
      labelNames,
      registers: [registry],
      async collect() {
        await fill(this);
      },
    });
  }

  const handler: RequestHandler = (_req, res, next) => {
    registry.metrics().then((text) => {
      res.setHeader('Content-Type', registry.contentType);
      res.send(text);
    }, next);
  };
  return { registry, handler };
}
