/** The licence library's connector (电子证照库); the wire shapes are in @kiosk/contracts/licences. */
import {
  licenceQueryRequestSchema,
  licenceQueryResponseSchema,
  licenceUseRequestSchema,
  licenceUseSchema,
  type LicencePurpose,
  type LicenceQueryResponse,
  type LicenceUse,
  type LicenceUseRequest,
} from '@kiosk/contracts/licences';
import type { CircuitBreaker } from './breaker.js';
import { checkRequest, type CallOptions, type UpstreamClient } from './http-client.js';

export * from '@kiosk/contracts/licences';

export interface LicenceConnector {
  readonly breaker: CircuitBreaker;
  /** Lists the citizen's licences; the library records a fetch use per licence with the purpose. */
  query(idNumber: string, purpose: LicencePurpose, call?: CallOptions): Promise<LicenceQueryResponse>;
  /** Records that a copy was printed (idempotent by key). */
  recordPrint(use: LicenceUseRequest, call?: CallOptions): Promise<LicenceUse>;
}

export function createLicenceConnector(client: UpstreamClient): LicenceConnector {
  return {
    breaker: client.breaker,
    async query(idNumber, purpose, call) {
      const body = checkRequest(
        'licences',
        'licences.query',
        licenceQueryRequestSchema,
        { idNumber, purpose, consent: true },
        call,
      );
      return client.request(
        {
          operation: 'licences.query',
          method: 'POST',
          path: '/licences/v1/licences/query',
          body,
          schema: licenceQueryResponseSchema,
          retry: true,
        },
        call,
      );
    },
    async recordPrint(use, call) {
      const body = checkRequest('licences', 'licences.use', licenceUseRequestSchema, use, call);
      return client.request(
        { operation: 'licences.use', method: 'POST', path: '/licences/v1/uses', body, schema: licenceUseSchema, retry: true },
        call,
      );
    },
  };
}
