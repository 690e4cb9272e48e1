import type { CircuitBreaker } from './breaker.js';
import {
  socialQueryRequestSchema,
  socialQueryResponseSchema,
  type SocialQueryRequest,
  type SocialQueryResponse,
} from '@kiosk/contracts/upstream';
import { checkRequest, type CallOptions, type UpstreamClient } from './http-client.js';

/**
 * 社保缴费凭单 / 票据: kind `resident` = 城乡居民社保费缴款凭单, `flexible` = 灵活就业人员社保票据.
 */
export interface SocialInsuranceConnector {
  readonly breaker: CircuitBreaker;
  queryPayments(req: SocialQueryRequest, call?: CallOptions): Promise<SocialQueryResponse>;
}

export function createSocialInsuranceConnector(client: UpstreamClient): SocialInsuranceConnector {
  return {
    breaker: client.breaker,
    async queryPayments(req, call) {
      const body = checkRequest('social', 'social.query', socialQueryRequestSchema, req, call);
      return client.request(
        {
          operation: 'social.query',
          method: 'POST',
          path: '/social/v1/payments/query',
          body,
          schema: socialQueryResponseSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
