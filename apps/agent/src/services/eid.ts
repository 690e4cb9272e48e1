/**
 * The 鄂汇办 e-ID platform (电子证照码): the kiosk redeems a code the citizen's phone showed and
 * the scanner read, and gets the person's identity (the fields of the resident ID card) in
 * return (wire schemas and the code format: @kiosk/contracts/eid). The sandbox implements the
 * same API (`POST /eid/v1/codes/redeem`,
 * docs/sandbox-api.openapi.yaml). A code is single use and lives 60 s; the platform refuses
 * expired (410 EID_CODE_EXPIRED), used (409 EID_CODE_USED) and forged (422 EID_CODE_FORGED)
 * codes with distinct errors. The connector has its own timeout and circuit breaker.
 *
 * A code is a bearer token for a person while it lives: it is never logged in full
 * (@kiosk/contracts/eid `maskEidCode`), and a redeem is never retried (the first attempt may have used it).
 */
import type { Logger } from 'pino';
import {
  eidRedeemResponseSchema,
  maskEidCode,
  type EidIdentity,
  type EidRedeemRequest,
  type EidRedeemResponse,
} from '@kiosk/contracts/eid';
import type { CircuitBreaker } from './breaker.js';
import type { CallOptions } from './http-client.js';
import { upstreamLink, withBreakerStatus, type UpstreamLinkOptions, type UpstreamStatusSource } from './upstream-link.js';

export interface EidConnector {
  readonly breaker: CircuitBreaker;
  redeem(code: string, call?: CallOptions): Promise<EidRedeemResponse>;
}

export type EidConnectorOptions = UpstreamLinkOptions;

export function createEidConnector(opts: EidConnectorOptions): EidConnector {
  const { breaker, client } = upstreamLink('eid', opts);
  const log = opts.logger.child({ upstream: 'eid' });
  return {
    breaker,
    async redeem(code, call) {
      const body: EidRedeemRequest = { code };
      log.info({ code: maskEidCode(code) }, 'e-ID code redeem');
      // Never retried: a lost answer may mean the code was used; a second try would be refused as used.
      return client.request(
        {
          operation: 'eid.redeem',
          method: 'POST',
          path: '/eid/v1/codes/redeem',
          body,
          schema: eidRedeemResponseSchema,
          retry: false,
        },
        call,
      );
    },
  };
}

/** The connector a config asks for: `upstream.eid.baseUrl`, else the upstream base URL (the sandbox serves it). */
export function eidConnectorFor(
  config: {
    kiosk: { id: string };
    upstream: { baseUrl: string; eid?: { baseUrl?: string | undefined; timeoutMs: number } | undefined };
  },
  logger: Logger,
): EidConnector {
  const e = config.upstream.eid;
  return createEidConnector({
    baseUrl: e?.baseUrl ?? config.upstream.baseUrl,
    timeoutMs: e?.timeoutMs ?? 5000,
    kioskId: config.kiosk.id,
    logger,
  });
}

/** Adds `eid` to an upstream status source: its breaker's state. */
export function withEidStatus(source: UpstreamStatusSource, eid: EidConnector): UpstreamStatusSource {
  return withBreakerStatus(source, 'eid', eid.breaker);
}

/** The session's seam (session/eid.ts EidRedeemer) backed by the connector. */
export function eidRedeemerFrom(eid: EidConnector) {
  return async (code: string, options: { signal: AbortSignal }): Promise<EidIdentity> =>
    (await eid.redeem(code, { signal: options.signal })).identity;
}
