/** The evaluation platform's connector (好差评); the wire shapes are in @kiosk/contracts/evaluation. */
import {
  evaluationReceiptSchema,
  evaluationReportSchema,
  type EvaluationReceipt,
  type EvaluationReport,
} from '@kiosk/contracts/evaluation';
import type { CircuitBreaker } from './breaker.js';
import { checkRequest, type CallOptions, type UpstreamClient } from './http-client.js';

export { ratingScores, SELF_SERVICE_CHANNEL, type EvaluationReport } from '@kiosk/contracts/evaluation';

export interface EvaluationConnector {
  readonly breaker: CircuitBreaker;
  submit(report: EvaluationReport, call?: CallOptions): Promise<EvaluationReceipt>;
}

export function createEvaluationConnector(client: UpstreamClient): EvaluationConnector {
  return {
    breaker: client.breaker,
    async submit(report, call) {
      const body = checkRequest('evaluation', 'evaluation.submit', evaluationReportSchema, report, call);
      return client.request(
        // Safe to repeat: the idempotency key makes a resend a no-op at the platform.
        {
          operation: 'evaluation.submit',
          method: 'POST',
          path: '/evaluation/v1/ratings',
          body,
          schema: evaluationReceiptSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
