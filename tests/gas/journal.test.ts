import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GasJournal, StaleOrderError, type CommitPoint } from '../../apps/agent/src/gas/journal.js';
import { IllegalTransitionError } from '../../apps/agent/src/gas/states.js';
import { openDatabase } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { tempDir } from '../helpers/config.js';

function journal(onCommit?: (p: CommitPoint) => void) {
  const file = join(tempDir('kiosk-journal-'), 'agent.db');
  const db = openDatabase(file, agentMigrations);
  return { j: new GasJournal(db, { ...(onCommit ? { onCommit } : {}), now: () => new Date('2026-06-30T16:30:00Z') }), db, file };
}

const meta = { actor: 'test' };
const base = { kioskId: 'K1', meterType: 'iot' as const, accountNo: '8800100001', amountFen: 5000 };

describe('gas journal', () => {
  it('commits each move with its history, checked against the state machine and the current state', () => {
    const points: CommitPoint[] = [];
    const { j } = journal((p) => points.push(p));
    j.create({ ...base, orderNo: 'GT1' }, meta);
    j.transition('GT1', 'created', 'awaiting_payment', { payDeadline: '2026-06-30T16:32:00Z' }, meta);
    j.step('GT1', 'awaiting_payment', 'payment_created', { payOrderId: 'PO1' }, meta);
    expect(() => j.transition('GT1', 'awaiting_payment', 'crediting', {}, meta)).toThrow(IllegalTransitionError);
    expect(() => j.transition('GT1', 'paid', 'crediting', {}, meta)).toThrow(StaleOrderError);
    j.transition('GT1', 'awaiting_payment', 'paid', { paidAt: '2026-06-30T16:31:00Z' }, meta);
    j.transition('GT1', 'paid', 'crediting', {}, meta);
    const o = j.transition('GT1', 'crediting', 'needs_attention', { lastError: 'x' }, meta);
    expect(o).toMatchObject({ state: 'needs_attention', attentionFrom: 'crediting', payOrderId: 'PO1', lastError: 'x' });
    expect(points).toEqual([
      'state:created',
      'state:awaiting_payment',
      'step:payment_created',
      'state:paid',
      'state:crediting',
      'state:needs_attention',
    ]);
    expect(j.history('GT1').map((h) => [h.fromState, h.toState, h.step])).toEqual([
      [null, 'created', null],
      ['created', 'awaiting_payment', null],
      ['awaiting_payment', 'awaiting_payment', 'payment_created'],
      ['awaiting_payment', 'paid', null],
      ['paid', 'crediting', null],
      ['crediting', 'needs_attention', null],
    ]);
    // China date: 16:30 UTC is 00:30 the next day in China.
    expect(o.businessDate).toBe('2026-07-01');
    expect(j.counts()).toEqual({ creditPending: 0, needsAttention: 1, active: 0 });
  });

  it('a refused move writes nothing', () => {
    const { j } = journal();
    j.create({ ...base, orderNo: 'GT2' }, meta);
    expect(() => j.transition('GT2', 'created', 'credited', { creditId: 'C' }, meta)).toThrow(IllegalTransitionError);
    expect(j.require('GT2')).toMatchObject({ state: 'created', creditId: null });
    expect(j.history('GT2')).toHaveLength(1);
  });

  it('the database itself refuses unknown states and non-positive amounts', () => {
    const { db, j } = journal();
    j.create({ ...base, orderNo: 'GT3' }, meta);
    expect(() => db.prepare("UPDATE gas_orders SET state = 'teleported' WHERE order_no = 'GT3'").run()).toThrow(/CHECK/);
    expect(() => j.create({ ...base, orderNo: 'GT4', amountFen: 0 }, meta)).toThrow(/CHECK/);
    expect(() => j.create({ ...base, orderNo: 'GT3' }, meta)).toThrow(/UNIQUE|PRIMARY/);
  });

  it('survives a reopen (what a restart sees)', () => {
    const { j, db, file } = journal();
    j.create({ ...base, orderNo: 'GT5' }, meta);
    j.transition('GT5', 'created', 'awaiting_payment', {}, meta);
    db.close();
    const again = new GasJournal(openDatabase(file, agentMigrations));
    expect(again.unfinished().map((o) => o.orderNo)).toEqual(['GT5']);
    expect(again.require('GT5').state).toBe('awaiting_payment');
  });

  it('openForCard lists paid card orders whose gas is not on the card yet', () => {
    const { j } = journal();
    const card = { ...base, meterType: 'ic-card' as const, cardNo: '9100000000200001' };
    j.create({ ...card, orderNo: 'A' }, meta);
    j.transition('A', 'created', 'awaiting_payment', {}, meta);
    j.create({ ...card, orderNo: 'B' }, meta);
    j.transition('B', 'created', 'awaiting_payment', {}, meta);
    j.transition('B', 'awaiting_payment', 'paid', {}, meta);
    j.transition('B', 'paid', 'credit_pending', {}, meta);
    j.create({ ...card, orderNo: 'C', state: 'credit_pending' }, meta);
    j.transition('C', 'credit_pending', 'crediting', {}, meta);
    j.transition('C', 'crediting', 'credited', {}, meta);
    expect(j.openForCard('9100000000200001').map((o) => o.orderNo)).toEqual(['B']);
  });
});
