import { randomUUID } from 'node:crypto';
import type { CircuitBreaker } from './breaker.js';
import {
  slipContentSchema,
  slipRegisterResponseSchema,
  slipVerifyResponseSchema,
  type SlipContent,
  type SlipRegisterResponse,
  type SlipVerifyResponse,
} from '@kiosk/contracts/upstream';
import { checkRequest, orNull, type CallOptions, type UpstreamClient } from './http-client.js';

/**
 * Printed-slip registration: before printing, the kiosk registers what the slip shows and gets a
 * serial number and the URL for the slip's QR code (`/verify/<serial>`).
 */
export interface SlipConnector {
  readonly breaker: CircuitBreaker;
  /**
   * `idempotencyKey` makes retries safe (same key + same content → same serial). Pass a key that
   * survives a crash (e.g. the session's print job id) if a restart may register again.
   */
  register(content: SlipContent, opts?: CallOptions & { idempotencyKey?: string }): Promise<SlipRegisterResponse>;
  /** null when no slip has this serial. */
  verify(serial: string, call?: CallOptions): Promise<SlipVerifyResponse | null>;
}

export function createSlipConnector(client: UpstreamClient): SlipConnector {
  return {
    breaker: client.breaker,
    async register(content, opts = {}) {
      const { idempotencyKey = randomUUID(), ...call } = opts;
      const body = checkRequest('slips', 'slips.register', slipContentSchema, content, call);
      return client.request(
        {
          operation: 'slips.register',
          method: 'POST',
          path: '/slips',
          body: { ...body, idempotencyKey },
          schema: slipRegisterResponseSchema,
          retry: true,
        },
        call,
      );
    },
    async verify(serial, call) {
      return orNull(
        client.request(
          {
            operation: 'slips.verify',
            method: 'GET',
            path: `/verify/${encodeURIComponent(serial)}`,
            schema: slipVerifyResponseSchema,
            retry: true,
          },
          call,
        ),
      );
    },
  };
}
