import type { CircuitBreaker } from './breaker.js';
import { chinaYear } from '@kiosk/platform';
import {
  taxQueryRequestSchema,
  taxQueryResponseSchema,
  type TaxQueryRequest,
  type TaxQueryResponse,
} from '@kiosk/contracts/upstream';
import { checkRequest, type CallOptions, type UpstreamClient } from './http-client.js';

/** 个人所得税纳税记录 / 完税证明, by year range of the tax period. */
export interface TaxConnector {
  readonly breaker: CircuitBreaker;
  queryRecords(req: TaxQueryRequest, call?: CallOptions): Promise<TaxQueryResponse>;
}

/** The default range the kiosk offers: the current year and the two before it (China time). */
export function defaultTaxYears(now: Date = new Date()): { fromYear: number; toYear: number } {
  const year = chinaYear(now);
  return { fromYear: year - 2, toYear: year };
}

export function createTaxConnector(client: UpstreamClient): TaxConnector {
  return {
    breaker: client.breaker,
    async queryRecords(req, call) {
      const body = checkRequest('tax', 'tax.query', taxQueryRequestSchema, req, call);
      return client.request(
        {
          operation: 'tax.query',
          method: 'POST',
          path: '/tax/v1/records/query',
          body,
          schema: taxQueryResponseSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
