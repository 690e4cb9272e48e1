/** Social-insurance payments: chooseKind → loading → years → list (choose one or the whole year) → confirm → registering. */
import { z } from 'zod';
import { yuan } from '../../receipts/slips/index.js';
import type { SocialQueryResponse } from '@kiosk/contracts/upstream';
import { defaultTaxYears } from '../../services/tax.js';
import type { FlowFactory, FlowInboundEvent } from '../../session/flow.js';
import { holderOf, SLIP_TITLES, socialRecordView, socialSlipKind, socialSlipRecord, socialYear } from '../present.js';
import {
  flowView,
  fullIdNumber,
  notesFor,
  recordFlowMachine,
  type RecordContext,
  type RecordFlowKit,
  type RecordServices,
} from '../record-steps.js';
import type { SocialKindId, SocialListData, SocialRecordView, SocialYearsData } from '@kiosk/contracts/record-views';

interface Row {
  year: number;
  fen: number;
  record: SocialRecordView;
}

interface Ctx extends RecordContext {
  kind: SocialKindId;
  fromYear: number;
  toYear: number;
  rows: Row[];
  year: number;
  selected: SocialRecordView | null;
  /** The slip covers every payment of the chosen year. */
  wholeYear: boolean;
}

/** A guard's arguments (createStateConfig does not type inline guards). */
type Args = { context: Ctx; event: FlowInboundEvent };
type Query = { kind: SocialKindId; fromYear: number; toYear: number };

const kindSchema = z.object({ kind: z.enum(['resident', 'flexible']) }).strict();
const yearSchema = z.object({ year: z.number().int() }).strict();
const selectSchema = z.object({ voucherNo: z.string().min(1).max(64) }).strict();
const dataOf = (e: FlowInboundEvent): Record<string, unknown> => (e.type === 'FLOW.EVENT' ? e.data : {});
const named = (e: FlowInboundEvent, name: string): boolean => e.type === 'FLOW.EVENT' && e.name === name;

function yearsData(c: Ctx): SocialYearsData {
  const years = [...new Set(c.rows.map((r) => r.year))].sort((a, b) => b - a);
  return {
    kind: c.kind,
    fromYear: c.fromYear,
    toYear: c.toYear,
    holder: c.holder,
    years: years.map((year) => {
      const rs = c.rows.filter((r) => r.year === year);
      return { year, count: rs.length, total: yuan(rs.reduce((s, r) => s + r.fen, 0)) };
    }),
  };
}

const listData = (c: Ctx): SocialListData => ({
  kind: c.kind,
  year: c.year,
  holder: c.holder,
  records: c.rows.filter((r) => r.year === c.year).map((r) => r.record),
});

/** `years`: how many years of payments are listed. */
export function socialFlow(services: RecordServices, kit: RecordFlowKit, years: number): FlowFactory {
  return (deps) =>
    recordFlowMachine<Ctx, Query, SocialQueryResponse>(kit, {
      id: 'socialFlow',
      service: 'social',
      initial: 'chooseKind',
      context: () => {
        const toYear = defaultTaxYears(kit.now()).toYear;
        return {
          kind: 'resident',
          fromYear: toYear - (years - 1),
          toYear,
          rows: [],
          year: toYear,
          selected: null,
          wholeYear: false,
        };
      },
      query: {
        run: (q, signal) => services.social.queryPayments({ idNumber: fullIdNumber(deps), ...q }, { signal }),
        input: (c) => ({ kind: c.kind, fromYear: c.fromYear, toYear: c.toYear }),
        isEmpty: (r) => r.records.length === 0,
        found: {
          target: 'years',
          update: (c, r) => ({
            holder: holderOf(r.holder, c.identity),
            rows: r.records.map((x) => ({ year: socialYear(x), fen: x.amountFen, record: socialRecordView(x) })).reverse(),
          }),
        },
        back: 'chooseKind',
      },
      noRecords: {
        data: (c) => ({ service: 'social', fromYear: c.fromYear, toYear: c.toYear, kind: c.kind }),
        back: 'chooseKind',
      },
      count: (c) => c.draft?.records.length ?? 1,
      confirm: (c) => {
        const slipKind = socialSlipKind(c.kind);
        const rows = c.rows.filter((x) => x.year === c.year);
        const chosen = c.wholeYear ? rows.map((x) => x.record) : [c.selected!];
        const totalFen = c.wholeYear ? rows.reduce((t, x) => t + x.fen, 0) : null;
        return {
          draft: {
            ...kit.draftBase(c.holder, c.identity),
            kind: slipKind,
            ...SLIP_TITLES[slipKind],
            source: chosen[0]!.collector,
            summary: [
              ['缴费年度 Year', String(c.year)],
              ...(totalFen !== null
                ? ([
                    ['缴费笔数 Payments', String(chosen.length)],
                    ['合计 Total', yuan(totalFen)],
                  ] as [string, string][])
                : []),
            ],
            records: chosen.map(socialSlipRecord),
            notes: notesFor('social'),
          },
          data: {
            service: 'social',
            ...SLIP_TITLES[slipKind],
            holder: c.holder,
            count: chosen.length,
            lines: chosen.map((r) => `${r.insuranceType} ${r.period} ${r.amount}`),
          },
        };
      },
      states: (s) => ({
        chooseKind: s.createStateConfig({
          entry: s.assign({ view: () => flowView('chooseKind', { kinds: ['resident', 'flexible'] }), rows: [], selected: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event }: Args) => named(event, 'kind') && kindSchema.safeParse(dataOf(event)).success,
              target: 'loading',
              actions: s.assign({ kind: ({ event }) => kindSchema.parse(dataOf(event)).kind }),
            },
            BACK: s.leave,
          },
        }),
        years: s.createStateConfig({
          entry: s.assign({ view: ({ context }) => flowView('years', yearsData(context)), selected: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }: Args) => {
                if (!named(event, 'year')) return false;
                const p = yearSchema.safeParse(dataOf(event));
                return p.success && context.rows.some((r) => r.year === p.data.year);
              },
              target: 'list',
              actions: s.assign({ year: ({ event }) => yearSchema.parse(dataOf(event)).year }),
            },
            BACK: 'chooseKind',
          },
        }),
        list: s.createStateConfig({
          entry: s.assign({ view: ({ context }) => flowView('list', listData(context)), draft: null, wholeYear: false }),
          on: {
            'FLOW.EVENT': [
              // One slip for the whole year's payments (issue 19).
              {
                guard: ({ event, context }: Args) => named(event, 'wholeYear') && listData(context).records.length > 0,
                target: 'confirm',
                actions: s.assign({ wholeYear: true, selected: null }),
              },
              {
                guard: ({ event, context }: Args) => {
                  if (!named(event, 'select')) return false;
                  const p = selectSchema.safeParse(dataOf(event));
                  return p.success && listData(context).records.some((r) => r.voucherNo === p.data.voucherNo);
                },
                target: 'confirm',
                actions: s.assign({
                  selected: ({ event, context }) => {
                    const v = selectSchema.parse(dataOf(event)).voucherNo;
                    return listData(context).records.find((r) => r.voucherNo === v) ?? null;
                  },
                }),
              },
            ],
            BACK: 'years',
          },
        }),
      }),
    });
}
