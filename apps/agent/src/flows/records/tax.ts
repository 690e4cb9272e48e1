/** Tax records: chooseYears → loading → list (choose records) → confirm → registering. */
import { z } from 'zod';
import { yuan } from '../../receipts/slips/index.js';
import type { TaxQueryResponse } from '@kiosk/contracts/upstream';
import { defaultTaxYears } from '../../services/tax.js';
import type { FlowFactory, FlowInboundEvent } from '../../session/flow.js';
import type { FlowView } from '@kiosk/contracts/session-view';
import {
  holderOf,
  SLIP_TITLES,
  TAX_DETAIL_MAX,
  taxRecordView,
  taxSlipRecord,
  taxYearSlipRecord,
  taxYearSummaries,
} from '../present.js';
import {
  flowView,
  fullIdNumber,
  notesFor,
  recordFlowMachine,
  type RecordContext,
  type RecordFlowKit,
  type RecordServices,
} from '../record-steps.js';
import type { TaxListData, TaxYearsData } from '@kiosk/contracts/record-views';

interface Ctx extends RecordContext {
  fromYear: number;
  toYear: number;
  years: number[];
  list: TaxListData | null;
}

/** A guard's arguments (createStateConfig does not type inline guards). */
type Args = { context: Ctx; event: FlowInboundEvent };

const yearsSchema = z.object({ fromYear: z.number().int(), toYear: z.number().int() }).strict();
const selectSchema = z.object({ voucherNos: z.array(z.string().min(1).max(64)).max(500) }).strict();
const yearsView = (c: Ctx): FlowView =>
  flowView('chooseYears', { fromYear: c.fromYear, toYear: c.toYear, years: c.years } satisfies TaxYearsData);

/** `yearChoices`: how many years the year choice offers, newest first. */
export function taxFlow(services: RecordServices, kit: RecordFlowKit, yearChoices: number): FlowFactory {
  return (deps) =>
    recordFlowMachine<Ctx, { fromYear: number; toYear: number }, TaxQueryResponse>(kit, {
      id: 'taxFlow',
      service: 'tax',
      initial: 'chooseYears',
      context: () => {
        const d = defaultTaxYears(kit.now());
        const years = Array.from({ length: yearChoices }, (_, i) => d.toYear - i);
        return { fromYear: d.fromYear, toYear: d.toYear, years, list: null };
      },
      query: {
        run: (q, signal) =>
          services.tax.queryRecords({ idNumber: fullIdNumber(deps), fromYear: q.fromYear, toYear: q.toYear }, { signal }),
        input: (c) => ({ fromYear: c.fromYear, toYear: c.toYear }),
        isEmpty: (r) => r.records.length === 0,
        found: {
          target: 'list',
          update: (c, r) => {
            const holder = holderOf(r.holder, c.identity);
            const total = r.records.reduce((s, x) => s + x.amountFen, 0);
            const records = r.records.map(taxRecordView);
            return {
              holder,
              list: {
                fromYear: c.fromYear,
                toYear: c.toYear,
                holder,
                records,
                total: yuan(total),
                selected: records.map((x) => x.voucherNo),
              },
            };
          },
        },
        back: 'chooseYears',
      },
      noRecords: { data: (c) => ({ service: 'tax', fromYear: c.fromYear, toYear: c.toYear, kind: null }), back: 'chooseYears' },
      count: (c) => c.list?.selected.length ?? 0,
      confirm: (c) => {
        const chosen = new Set(c.list?.selected ?? []);
        const records = (c.list?.records ?? []).filter((r) => chosen.has(r.voucherNo));
        const summarised = records.length > TAX_DETAIL_MAX;
        const years = taxYearSummaries(records);
        const totalFen = records.reduce((s, r) => s + r.amountFen, 0);
        return {
          draft: {
            ...kit.draftBase(c.holder, c.identity),
            kind: 'tax',
            ...SLIP_TITLES.tax,
            source: '国家税务总局咸宁市税务局',
            summary: [
              ['所属年度 Years', `${c.fromYear}–${c.toYear}`],
              ['记录数 Records', String(records.length)],
              ['合计 Total', yuan(totalFen)],
              ...(summarised ? [['明细 Details', '按年度汇总 Summarised by year'] as [string, string]] : []),
            ],
            records: summarised ? years.map(taxYearSlipRecord) : records.map(taxSlipRecord),
            notes: notesFor('tax'),
          },
          data: {
            service: 'tax',
            ...SLIP_TITLES.tax,
            holder: c.holder,
            count: records.length,
            lines: summarised
              ? years.map((y) => `${y.year}：${y.count} · ${yuan(y.totalFen)}`)
              : records.map((r) => `${r.paidOn} ${r.taxType} ${r.amount}`),
            summarised,
          },
        };
      },
      states: (s) => ({
        chooseYears: s.createStateConfig({
          entry: s.assign({ view: ({ context }) => yearsView(context), draft: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }: Args) => {
                if (event.type !== 'FLOW.EVENT' || event.name !== 'years') return false;
                const p = yearsSchema.safeParse(event.data);
                return (
                  p.success &&
                  p.data.fromYear <= p.data.toYear &&
                  context.years.includes(p.data.fromYear) &&
                  context.years.includes(p.data.toYear)
                );
              },
              actions: s.assign(({ event, context }) => {
                const y = yearsSchema.parse(event.type === 'FLOW.EVENT' ? event.data : {});
                const next = { ...context, fromYear: y.fromYear, toYear: y.toYear };
                return { fromYear: y.fromYear, toYear: y.toYear, view: yearsView(next) };
              }),
            },
            CONTINUE: 'loading',
            BACK: s.leave,
          },
        }),
        list: s.createStateConfig({
          entry: s.assign({ view: ({ context }) => flowView('list', context.list ?? {}), draft: null }),
          on: {
            // The citizen chooses which records go on the slip (all by default).
            'FLOW.EVENT': {
              guard: ({ event, context }: Args) => {
                if (event.type !== 'FLOW.EVENT' || event.name !== 'select') return false;
                const p = selectSchema.safeParse(event.data);
                const known = new Set(context.list?.records.map((r) => r.voucherNo));
                return p.success && p.data.voucherNos.every((v) => known.has(v));
              },
              actions: s.assign(({ event, context }) => {
                const chosen = new Set(selectSchema.parse(event.type === 'FLOW.EVENT' ? event.data : {}).voucherNos);
                // Kept in list order whatever order the taps came in.
                const list = {
                  ...context.list!,
                  selected: context.list!.records.filter((r) => chosen.has(r.voucherNo)).map((r) => r.voucherNo),
                };
                return { list, view: flowView('list', list) };
              }),
            },
            CONTINUE: { guard: ({ context }: Args) => (context.list?.selected.length ?? 0) > 0, target: 'confirm' },
            BACK: 'chooseYears',
          },
        }),
      }),
    });
}
