/**
 * The 好差评 feature of the agent: owns the rating reporter (queue + delivery pump) and provides
 * the `ratings` port the session hands each rating to. See docs/ratings.md.
 */
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import type { EvaluationConnector } from '../services/evaluation.js';
import { RatingReporter } from './reporter.js';

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
    // Read at each rating: the monitor may start after this module, or not run at all.
    reportEvent: (type, payload) => {
      ctx.ports.get('monitor')?.sender.enqueueEvent(type, payload);
    },
  });
  ctx.ports.provide('ratings', { submit: (s) => reporter.submit(s), pending: () => reporter.queue.depth() });
  return {
    name: 'ratings',
    async start() {
      // Reports queued before a restart or during an outage go out now.
      reporter.start();
    },
    async stop() {
      await reporter.stop();
      ctx.ports.withdraw('ratings');
    },
    health: () => {
      const d = reporter.queue.depth();
      return { ratings: { pending: d.pending, oldestAt: d.oldestAt } };
    },
  };
}
