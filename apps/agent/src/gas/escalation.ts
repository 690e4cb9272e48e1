/**
 * Parking an order that cannot go on (credit_pending / needs_attention) and raising the
 * needs-attention alert once.
 */
import type { EngineContext } from './context.js';
import type { CommitMeta, GasJournal, GasOrder } from './journal.js';
import type { OrderState } from './states.js';
import type { GasAlert } from './types.js';

export class Escalation {
  constructor(private readonly c: EngineContext) {}

  /** crediting → `to` (credit_pending or needs_attention), remembering why. */
  park(o: GasOrder, to: OrderState, reason: string, meta: CommitMeta): GasOrder {
    const firstTime = to === 'needs_attention' && o.attentionFrom === null;
    const after = this.c.journal.transition(
      o.orderNo,
      'crediting',
      to,
      { lastError: reason },
      { ...meta, detail: { ...meta.detail, reason } },
    );
    if (firstTime) this.alert(after, 'crediting', reason);
    return after;
  }

  /** The order's current state → needs_attention, with an alert. */
  escalate(o: GasOrder, reason: string, actor: string, patch: Parameters<GasJournal['transition']>[3] = {}): GasOrder {
    const after = this.c.journal.transition(
      o.orderNo,
      o.state,
      'needs_attention',
      { ...patch, lastError: reason },
      { actor, detail: { reason } },
    );
    this.alert(after, o.state, reason);
    return after;
  }

  alert(o: GasOrder, from: OrderState | null, reason: string | null): void {
    const alert: GasAlert = {
      kind: 'gas.needs_attention',
      orderNo: o.orderNo,
      from,
      amountFen: o.amountFen,
      meterType: o.meterType,
      reason,
      at: this.c.now().toISOString(),
    };
    this.c.log.warn(alert, 'gas order needs attention');
    this.c.events.emit('alert', alert);
  }
}
