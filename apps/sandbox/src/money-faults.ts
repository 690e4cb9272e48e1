import { z } from 'zod';
import type { FaultRegistry } from './faults.js';

/**
 * Named misbehaviours of the money upstreams, the way real ones misbehave, for tests, the crash
 * campaign and demos (`POST /admin/money-faults`). Credit-side modes are sugar over the generic
 * fault registry; `pay_during_close` is a race only the payment book can stage.
 *
 * - `credit_late`: the gas company receives the credit (IoT) / purchase (IC) but applies it
 *   `delayMs` later, after the kiosk's client has timed out; it still lands (unless the serial was
 *   voided meanwhile). Every matching call in `count` is held, retries included.
 * - `credit_answer_late`: the credit / purchase is applied at once, its answer held `delayMs`
 *   (listed in `appliedHeld` meanwhile: the upstream acted, the kiosk cannot have journaled it).
 * - `credit_answer_lost`: the credit / purchase is applied, then the connection drops.
 * - `void_unknown`: the void (冲正) gets no answer; `applied: true` voids first and then drops.
 * - `pay_during_close`: the buyer's payment reaches the provider while the kiosk closes the
 *   order: the close answers 409 ORDER_PAID and the order is SUCCESS.
 */
export const moneyFaultSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('credit_late'),
    delayMs: z.number().int().min(1).max(600_000).default(3000),
    count: z.number().int().min(1).max(10_000).default(10),
    target: z.enum(['iot', 'ic', 'both']).default('both'),
  }),
  z.object({
    mode: z.literal('credit_answer_late'),
    delayMs: z.number().int().min(1).max(600_000).default(3000),
    count: z.number().int().min(1).max(10_000).default(1),
    target: z.enum(['iot', 'ic', 'both']).default('both'),
  }),
  z.object({
    mode: z.literal('credit_answer_lost'),
    count: z.number().int().min(1).max(10_000).default(10),
    target: z.enum(['iot', 'ic', 'both']).default('both'),
  }),
  z.object({
    mode: z.literal('void_unknown'),
    count: z.number().int().min(1).max(10_000).default(10),
    applied: z.boolean().default(false),
  }),
  z.object({
    mode: z.literal('pay_during_close'),
    /** The kiosk's order number; omit for the next close of any order. */
    outTradeNo: z.string().min(1).max(64).optional(),
    count: z.number().int().min(1).max(10_000).default(1),
  }),
]);
export type MoneyFault = z.infer<typeof moneyFaultSchema>;

interface Armed {
  outTradeNo: string | null;
  remaining: number;
}

export class MoneyFaults {
  private payOnClose: Armed[] = [];
  /** Calls held back by delay faults (see OpDeps.held). */
  readonly held = { count: 0, applied: new Map<number, { operation: string; since: string }>() };

  constructor(private readonly faults: FaultRegistry) {}

  add(f: MoneyFault): void {
    const ops = (target: 'iot' | 'ic' | 'both'): string[] =>
      target === 'iot' ? ['gas.iot.credit'] : target === 'ic' ? ['gas.ic.purchase'] : ['gas.iot.credit', 'gas.ic.purchase'];
    switch (f.mode) {
      case 'credit_late':
        for (const operation of ops(f.target))
          this.faults.add({ operation, kind: 'delay', delayMs: f.delayMs, count: f.count, phase: 'before' });
        return;
      case 'credit_answer_late':
        for (const operation of ops(f.target))
          this.faults.add({ operation, kind: 'delay', delayMs: f.delayMs, count: f.count, phase: 'after' });
        return;
      case 'credit_answer_lost':
        for (const operation of ops(f.target)) this.faults.add({ operation, kind: 'reset', count: f.count, phase: 'after' });
        return;
      case 'void_unknown':
        this.faults.add({ operation: 'gas.void', kind: 'reset', count: f.count, phase: f.applied ? 'after' : 'before' });
        return;
      case 'pay_during_close':
        this.payOnClose.push({ outTradeNo: f.outTradeNo ?? null, remaining: f.count });
        return;
    }
  }

  /** True when this close must lose the race to the buyer's payment (consumes one use). */
  takePayOnClose(outTradeNo: string): boolean {
    const a = this.payOnClose.find((x) => x.outTradeNo === null || x.outTradeNo === outTradeNo);
    if (!a) return false;
    a.remaining -= 1;
    if (a.remaining <= 0) this.payOnClose = this.payOnClose.filter((x) => x !== a);
    return true;
  }

  state(): { heldCalls: number; appliedHeld: { operation: string; since: string }[]; payDuringClose: Armed[] } {
    return {
      heldCalls: this.held.count,
      appliedHeld: [...this.held.applied.values()],
      payDuringClose: this.payOnClose.map((a) => ({ ...a })),
    };
  }

  clear(): void {
    this.payOnClose = [];
  }
}
