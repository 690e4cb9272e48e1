import { pino, type Logger } from 'pino';
import type { BreakerChange, BreakerOptions, BreakerSnapshot, CircuitBreaker } from './breaker.js';
import { UPSTREAM_NAMES, type UpstreamName } from './errors.js';
import { createEvaluationConnector, type EvaluationConnector } from './evaluation.js';
import { createGasConnector, type GasConnector } from './gas.js';
import { createLicenceConnector, type LicenceConnector } from './licences.js';
import type { RetryPolicy, UpstreamClient } from './http-client.js';
import { upstreamLink, type UpstreamConfig } from './upstream-link.js';
import { createPaymentConnector, type PaymentConnector } from './payment.js';
import { createPropertyConnector, type PropertyConnector } from './property.js';
import { createSlipConnector, type SlipConnector } from './slips.js';
import { createSocialInsuranceConnector, type SocialInsuranceConnector } from './social.js';
import { createTaxConnector, type TaxConnector } from './tax.js';

export * from './breaker.js';
export * from '@kiosk/contracts/upstream';
export * from './errors.js';
export { UpstreamClient } from './http-client.js';
export { defaultTaxYears } from './tax.js';

export interface ServicesOptions {
  /** Where all upstreams live (the sandbox, or one bridge). */
  baseUrl: string;
  /** Per-upstream overrides, e.g. a bridge to the real property registry. */
  baseUrls?: Partial<Record<UpstreamName, string>>;
  /** Per-attempt timeout. */
  timeoutMs: number;
  kioskId: string;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerOptions>;
  /** Replaces global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

interface UpstreamAvailability extends BreakerSnapshot {
  /** False while the circuit is open: grey the tiles that need this upstream. */
  available: boolean;
}

export interface Services {
  property: PropertyConnector;
  tax: TaxConnector;
  social: SocialInsuranceConnector;
  gas: GasConnector;
  payment: PaymentConnector;
  slips: SlipConnector;
  evaluation: EvaluationConnector;
  licences: LicenceConnector;
  breakers: Readonly<Record<UpstreamName, CircuitBreaker>>;
  /** One row per upstream, for the availability matrix and heartbeats. */
  availability(): UpstreamAvailability[];
  /** Called on every breaker state change; returns an unsubscribe function. */
  onAvailabilityChange(listener: (change: BreakerChange) => void): () => void;
}

export function createServices(opts: ServicesOptions): Services {
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'services' });
  const breakers = {} as Record<UpstreamName, CircuitBreaker>;
  const clients = {} as Record<UpstreamName, UpstreamClient>;
  for (const upstream of UPSTREAM_NAMES) {
    const { breaker, client } = upstreamLink(upstream, {
      baseUrl: opts.baseUrls?.[upstream] ?? opts.baseUrl,
      timeoutMs: opts.timeoutMs,
      kioskId: opts.kioskId,
      logger,
      ...(opts.breaker ? { breaker: opts.breaker } : {}),
      ...(opts.retry ? { retry: opts.retry } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
    breaker.on('change', (c) => {
      const level = c.to === 'closed' ? 'info' : 'warn';
      logger[level]({ upstream, from: c.from, to: c.to, lastFailure: c.snapshot.lastFailure }, 'upstream circuit changed');
    });
    breakers[upstream] = breaker;
    clients[upstream] = client;
  }
  return {
    property: createPropertyConnector(clients.property),
    tax: createTaxConnector(clients.tax),
    social: createSocialInsuranceConnector(clients.social),
    gas: createGasConnector(clients.gas),
    payment: createPaymentConnector(clients.payment),
    slips: createSlipConnector(clients.slips),
    evaluation: createEvaluationConnector(clients.evaluation),
    licences: createLicenceConnector(clients.licences),
    breakers,
    availability() {
      return UPSTREAM_NAMES.map((u) => {
        const s = breakers[u].snapshot();
        return { ...s, available: s.state !== 'open' };
      });
    },
    onAvailabilityChange(listener) {
      for (const u of UPSTREAM_NAMES) breakers[u].on('change', listener);
      return () => {
        for (const u of UPSTREAM_NAMES) breakers[u].off('change', listener);
      };
    },
  };
}

export type { UpstreamConfig } from './upstream-link.js';

/** The connectors for a config: every upstream at `upstream.baseUrl`, with its timeout and the kiosk's id. */
export function servicesFor(config: UpstreamConfig, logger?: Logger): Services {
  return createServices({
    baseUrl: config.upstream.baseUrl,
    timeoutMs: config.upstream.timeoutMs,
    kioskId: config.kiosk.id,
    ...(logger ? { logger } : {}),
  });
}
