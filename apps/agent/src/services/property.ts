import type { CircuitBreaker } from './breaker.js';
import { propertyQueryRequestSchema, propertyQueryResponseSchema, type PropertyQueryResponse } from '@kiosk/contracts/upstream';
import { checkRequest, type CallOptions, type UpstreamClient } from './http-client.js';

/** 不动产登记信息 / 权利状态: the citizen's properties and each one's encumbrances. */
export interface PropertyConnector {
  readonly breaker: CircuitBreaker;
  /** Empty `properties` (and holder null) when the registry has nothing for this person. */
  queryProperties(idNumber: string, call?: CallOptions): Promise<PropertyQueryResponse>;
}

export function createPropertyConnector(client: UpstreamClient): PropertyConnector {
  return {
    breaker: client.breaker,
    async queryProperties(idNumber, call) {
      const body = checkRequest('property', 'property.query', propertyQueryRequestSchema, { idNumber }, call);
      return client.request(
        {
          operation: 'property.query',
          method: 'POST',
          path: '/property/v1/properties/query',
          body,
          schema: propertyQueryResponseSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
