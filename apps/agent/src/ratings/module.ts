/**
 * The 好差评 feature of the agent: owns the rating reporter (queue + delivery pump) and offers
 * `submit` to the session module. See docs/ratings.md.
 */
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { getMonitorApi } from '../monitor/module.js';
import type { EvaluationConnector } from '../services/evaluation.js';
import { RatingReporter, type RatingSubmission } from './reporter.js';

export interface RatingsApi {
  submit(s: RatingSubmission): string;
  reporter: RatingReporter;
}

const apis = new WeakMap<AgentContext, RatingsApi>();

export function getRatingsApi(ctx: AgentContext): RatingsApi | undefined {
  return apis.get(ctx);
}

export function createRatingsModuleWith(deps: { services: { evaluation: EvaluationConnector } }): AgentModuleFactory {
  return (ctx) => buildRatingsModule(ctx, deps.services.evaluation);
}

function buildRatingsModule(ctx: AgentContext, evaluation: EvaluationConnector): AgentModule {
  const conf = ctx.config.ratings;
  const reporter = new RatingReporter({
    db: ctx.db,
    evaluation,
    kioskId: ctx.config.kiosk.id,
    hashSalt: conf.hashSalt,
    retryBaseMs: conf.retryBaseMs,
    maxRetryMs: conf.maxRetryMs,
    logger: ctx.logger,
    // Looked up at each rating: the monitor module may be built after this one.
    reportEvent: (type, payload) => {
      getMonitorApi(ctx)?.sender.enqueueEvent(type, payload);
    },
  });
  apis.set(ctx, { submit: (s) => reporter.submit(s), reporter });
  return {
    name: 'ratings',
    async start() {
      // Reports queued before a restart or during an outage go out now.
      reporter.start();
    },
    async stop() {
      await reporter.stop();
      apis.delete(ctx);
    },
    health: () => {
      const d = reporter.queue.depth();
      return { ratings: { pending: d.pending, oldestAt: d.oldestAt } };
    },
  };
}
