import { faceVerifyResponseSchema, type FaceVerifyRequest, type FaceVerifyResponse } from '@kiosk/contracts/face';
import type { CircuitBreaker } from './breaker.js';
import type { CallOptions } from './http-client.js';
import { upstreamLink, withBreakerStatus, type UpstreamLinkOptions, type UpstreamStatusSource } from './upstream-link.js';
import type { Logger } from 'pino';

export interface FaceConnector {
  readonly breaker: CircuitBreaker;
  verify(input: { idNumber: string; name: string; jpeg: Buffer }, call?: CallOptions): Promise<FaceVerifyResponse>;
}

export type FaceConnectorOptions = UpstreamLinkOptions;

/** A connector with its own timeout and circuit breaker, like the other upstreams. */
export function createFaceConnector(opts: FaceConnectorOptions): FaceConnector {
  const { breaker, client } = upstreamLink('face', opts);
  return {
    breaker,
    verify({ idNumber, name, jpeg }, call) {
      const body: FaceVerifyRequest = { idNumber, name, image: { format: 'jpeg', base64: jpeg.toString('base64') } };
      // Not retried: a citizen is waiting in front of the camera; one attempt within the timeout.
      return client.request(
        { operation: 'face.verify', method: 'POST', path: '/face/verify', body, schema: faceVerifyResponseSchema, retry: false },
        call,
      );
    },
  };
}

/**
 * The session's face step seam (session/face.ts FaceVerifier) backed by the connector. No card,
 * no comparison: nothing to compare with. Upstream failures propagate, so the step fails and the
 * citizen is offered the card-only way or the counter — never a silent "matched".
 */
export function faceVerifierFrom(connector: FaceConnector) {
  return async ({
    jpeg,
    card,
  }: {
    jpeg: Buffer;
    card: { idNumber: string; name: string; englishName?: string } | null;
  }): Promise<{ matched: boolean }> => {
    if (!card) return { matched: false };
    const r = await connector.verify({ idNumber: card.idNumber, name: card.name || card.englishName || '-', jpeg });
    return { matched: r.matched };
  };
}

/**
 * The face connector a config asks for: `upstream.face`, or the embedded sandbox (which serves the
 * same API at upstream.baseUrl). null otherwise — a production config without a face platform
 * gets no verifier at all, so the session refuses the face step instead of using a stub.
 */
export function faceConnectorFor(
  config: {
    kiosk: { id: string };
    upstream: { baseUrl: string; face?: { baseUrl?: string | undefined; timeoutMs: number } | undefined };
    embedded: { sandbox: { enabled: boolean } };
  },
  logger: Logger,
): FaceConnector | null {
  const f = config.upstream.face;
  if (!f && !config.embedded.sandbox.enabled) return null;
  return createFaceConnector({
    baseUrl: f?.baseUrl ?? config.upstream.baseUrl,
    timeoutMs: f?.timeoutMs ?? 8000,
    kioskId: config.kiosk.id,
    logger,
  });
}

/** Adds `face` to an upstream status source: its breaker's state, or down when not configured. */
export function withFaceStatus(source: UpstreamStatusSource, face: FaceConnector | null): UpstreamStatusSource {
  return withBreakerStatus(source, 'face', face?.breaker ?? null);
}
