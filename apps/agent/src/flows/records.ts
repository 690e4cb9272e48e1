/**
 * The three "prove who you are, see your records, print an official slip" services as session
 * flows (see session/flow.ts for the contract):
 *
 * - property: loading → list → confirm → registering → (session prints)
 * - tax:      chooseYears → loading → list → confirm → registering
 * - social:   chooseKind → loading → years → list → (choose one) confirm → registering
 *
 * Every query can end in `noRecords` (a clear screen, nothing prints) or `error` (the citizen
 * text from UpstreamError, with a retry when it may help). Before printing, the slip is
 * registered with the upstream (POST /slips) for its serial and verification URL; the flow then
 * hands the finished document to the session's shared print step, which owns paper-out and
 * retry. The registration happens once per confirmed slip, so a reprint after a refill prints
 * the same serial — one slip, not two.
 *
 * Full id numbers are read from `FlowDeps.identity()` inside the query actors only; contexts and
 * views hold masked data.
 */
import { randomUUID } from 'node:crypto';
import { assign, fromPromise, setup, type AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { ReceiptDocument } from '../receipts/document.js';
import { slipContent, slipDocument, type SlipDraft } from '../receipts/slips/index.js';
import type { PropertyQueryResponse, SocialQueryResponse, TaxQueryResponse } from '@kiosk/contracts/upstream';
import type { Services } from '../services/index.js';
import { defaultTaxYears } from '../services/tax.js';
import type { FlowDeps, FlowFactory, FlowInboundEvent, FlowInput, FlowOutput } from '../session/flow.js';
import type { FlowView, MaskedIdentity, ServiceId } from '@kiosk/contracts/session-view';
import {
  errorData,
  errorLog,
  FlowStepError,
  holderOf,
  NO_IDENTITY,
  propertySlipRecord,
  propertyView,
  SLIP_TITLES,
  socialRecordView,
  socialSlipKind,
  socialSlipRecord,
  socialYear,
  statusLine,
  taxRecordView,
  taxSlipRecord,
  TAX_DETAIL_MAX,
  taxYearSlipRecord,
  taxYearSummaries,
} from './present.js';
import type {
  ConfirmData,
  ErrorData,
  HolderView,
  NoRecordsData,
  PropertyListData,
  RecordServiceId,
  SocialKindId,
  SocialListData,
  SocialRecordView,
  SocialYearsData,
  TaxListData,
  TaxYearsData,
} from '@kiosk/contracts/record-views';
import { yuan } from '../receipts/slips/index.js';

export type RecordServices = Pick<Services, 'property' | 'tax' | 'social' | 'slips'>;

export interface RecordFlowsOptions {
  logger?: Logger;
  /** Clock for print times and the default tax years (tests). */
  now?: () => Date;
  /** How many years the tax year choice offers, newest first (default 6: this year and five before). */
  taxYearChoices?: number;
  /** How many years of social-insurance payments are listed (default 5). */
  socialYears?: number;
}

/** Typed view data → FlowView. The view types in views.ts are JSON by construction. */
function flowView(step: string, data: object): FlowView {
  return { step, data: data as FlowView['data'] };
}

const notesFor = (service: RecordServiceId): string[] => {
  const common = ['扫描二维码或访问上方地址可核验本凭证', 'Scan the QR code to verify this slip'];
  if (service === 'property') return ['本结果仅反映打印时的登记信息', 'Reflects the register at the time of printing', ...common];
  return common;
};

/** Shared pieces of the three flows. */
interface Common {
  view: FlowView;
  output: FlowOutput | null;
  identity: MaskedIdentity | null;
  holder: HolderView | null;
  error: ErrorData | null;
  /** The confirmed slip: registered with this idempotency key, so a retry gets the same serial. */
  draft: SlipDraft | null;
  key: string;
}

const commonContext = (input: FlowInput): Common => ({
  view: flowView('loading', { service: input.serviceId }),
  output: null,
  identity: input.identity,
  holder: null,
  error: null,
  draft: null,
  key: '',
});

const back = (): FlowOutput => ({ outcome: 'back' });

const noRecordsOutput = (service: RecordServiceId): FlowOutput => ({
  outcome: 'done',
  result: { kind: 'info', titleKey: `flows.noRecords.title.${service}`, messageKey: 'flows.noRecords.result' },
});

const printedOutput = (document: ReceiptDocument, serial: string, count: number): FlowOutput => ({
  outcome: 'done',
  // `n` is what the catalogue's "共 {n} 条记录" (and its plural forms) use; `count` for callers.
  result: { kind: 'success', titleKey: 'flows.result.title', messageKey: 'flows.result.body', params: { serial, count, n: count } },
  print: { document },
});

function fullIdNumber(deps: FlowDeps): string {
  const card = deps.identity();
  if (!card) throw new FlowStepError(NO_IDENTITY);
  return card.idNumber;
}

export function createRecordFlows(
  services: RecordServices,
  config: Pick<KioskConfig, 'kiosk'> & { slips?: KioskConfig['slips'] },
  options: RecordFlowsOptions = {},
): Partial<Record<ServiceId, FlowFactory>> {
  const now = options.now ?? (() => new Date());
  const verifyBase = config.slips?.verifyBaseUrl?.replace(/\/+$/, '');
  const log = options.logger?.child({ component: 'record-flows' });
  const kiosk = { kioskId: config.kiosk.id, location: config.kiosk.location };

  const register = fromPromise<{ document: ReceiptDocument; serial: string }, { draft: SlipDraft; key: string }>(
    async ({ input, signal }) => {
      const registered = await services.slips.register(slipContent(input.draft), { idempotencyKey: input.key, signal });
      // The QR must open on a phone: the configured public base wins over the registry's own address.
      const reg = verifyBase ? { ...registered, verifyUrl: `${verifyBase}/verify/${encodeURIComponent(registered.serial)}` } : registered;
      log?.info({ kind: input.draft.kind, serial: reg.serial, records: input.draft.records.length }, 'slip registered');
      return { document: slipDocument(input.draft, reg), serial: reg.serial };
    },
  );

  const failed = (service: RecordServiceId, what: string) => (err: unknown): ErrorData => {
    log?.warn({ service, step: what, ...errorLog(err) }, 'record flow step failed');
    return errorData(service, err);
  };

  const draftBase = (holder: HolderView | null, identity: MaskedIdentity | null) => {
    const h = holder ?? (identity ? { name: identity.name, idNumber: identity.idNumber } : { name: '*', idNumber: '*' });
    return { ...kiosk, holder: { nameMasked: h.name, idNumberMasked: h.idNumber }, printedAt: now() };
  };

  // ------------------------------------------------------------------------------------ property
  const property: FlowFactory = (deps) => {
    interface Ctx extends Common {
      list: PropertyListData | null;
    }
    const query = fromPromise<PropertyQueryResponse, void>(({ signal }) => services.property.queryProperties(fullIdNumber(deps), { signal }));
    const onError = failed('property', 'query');
    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
      actors: { query, register },
    }).createMachine({
      id: 'propertyFlow',
      context: ({ input }) => ({ ...commonContext(input), list: null }),
      initial: 'loading',
      states: {
        loading: {
          entry: assign({ view: () => flowView('loading', { service: 'property' }) }),
          // A slow registry must not hold the citizen: cancelling stops the query (issue 19).
          on: { BACK: { target: 'finished', actions: assign({ output: back }) } },
          invoke: {
            src: 'query',
            onDone: [
              {
                guard: ({ event }) => event.output.properties.length === 0,
                target: 'noRecords',
              },
              {
                target: 'list',
                actions: assign(({ event, context }) => {
                  const holder = holderOf(event.output.holder, context.identity);
                  return { holder, list: { registry: event.output.registry, holder, properties: event.output.properties.map(propertyView) } };
                }),
              },
            ],
            onError: { target: 'error', actions: assign({ error: ({ event }) => onError(event.error) }) },
          },
        },
        list: {
          entry: assign({ view: ({ context }) => flowView('list', context.list ?? {}), draft: null }),
          on: { CONTINUE: 'confirm', BACK: { target: 'finished', actions: assign({ output: back }) } },
        },
        confirm: {
          entry: assign(({ context }) => {
            const props = context.list?.properties ?? [];
            const draft: SlipDraft = {
              ...draftBase(context.holder, context.identity),
              kind: 'property',
              ...SLIP_TITLES.property,
              source: context.list?.registry ?? '',
              summary: [['不动产数量 Properties', String(props.length)]],
              records: props.map((p, i) => propertySlipRecord(p, i, props.length)),
              notes: notesFor('property'),
            };
            const data: ConfirmData = {
              service: 'property',
              ...SLIP_TITLES.property,
              holder: context.holder,
              count: props.length,
              lines: props.map((p) => `${p.location}（${p.statuses.map(statusLine).join('；')}）`),
            };
            return { draft, key: randomUUID(), view: flowView('confirm', data) };
          }),
          on: { CONTINUE: 'registering', BACK: 'list' },
        },
        registering: {
          entry: assign({ view: () => flowView('registering', { service: 'property' }) }),
          invoke: {
            src: 'register',
            input: ({ context }) => ({ draft: context.draft!, key: context.key }),
            onDone: {
              target: 'finished',
              actions: assign({ output: ({ event, context }) => printedOutput(event.output.document, event.output.serial, context.draft?.records.length ?? 0) }),
            },
            onError: { target: 'registerError', actions: assign({ error: ({ event }) => failed('property', 'register')(event.error) }) },
          },
        },
        noRecords: {
          entry: assign({ view: () => flowView('noRecords', { service: 'property', fromYear: null, toYear: null, kind: null } satisfies NoRecordsData) }),
          on: {
            CONTINUE: { target: 'finished', actions: assign({ output: () => noRecordsOutput('property') }) },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        error: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'loading' },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        registerError: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'registering' },
            BACK: 'list',
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? back(),
    }) as AnyStateMachine;
  };

  // ------------------------------------------------------------------------------------ tax
  const yearsSchema = z.object({ fromYear: z.number().int(), toYear: z.number().int() }).strict();
  const taxSelectSchema = z.object({ voucherNos: z.array(z.string().min(1).max(64)).max(500) }).strict();
  const tax: FlowFactory = (deps) => {
    interface Ctx extends Common {
      fromYear: number;
      toYear: number;
      years: number[];
      list: TaxListData | null;
    }
    const query = fromPromise<TaxQueryResponse, { fromYear: number; toYear: number }>(({ input, signal }) =>
      services.tax.queryRecords({ idNumber: fullIdNumber(deps), fromYear: input.fromYear, toYear: input.toYear }, { signal }),
    );
    const yearsView = (c: Ctx): FlowView => flowView('chooseYears', { fromYear: c.fromYear, toYear: c.toYear, years: c.years } satisfies TaxYearsData);
    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
      actors: { query, register },
    }).createMachine({
      id: 'taxFlow',
      context: ({ input }) => {
        const d = defaultTaxYears(now());
        const n = options.taxYearChoices ?? 6;
        const years = Array.from({ length: n }, (_, i) => d.toYear - i);
        return { ...commonContext(input), fromYear: d.fromYear, toYear: d.toYear, years, list: null };
      },
      initial: 'chooseYears',
      states: {
        chooseYears: {
          entry: assign({ view: ({ context }) => yearsView(context), draft: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }) => {
                if (event.name !== 'years') return false;
                const p = yearsSchema.safeParse(event.data);
                return p.success && p.data.fromYear <= p.data.toYear && context.years.includes(p.data.fromYear) && context.years.includes(p.data.toYear);
              },
              actions: assign(({ event, context }) => {
                const y = yearsSchema.parse(event.data);
                const next = { ...context, fromYear: y.fromYear, toYear: y.toYear };
                return { fromYear: y.fromYear, toYear: y.toYear, view: yearsView(next) };
              }),
            },
            CONTINUE: 'loading',
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        loading: {
          entry: assign({ view: () => flowView('loading', { service: 'tax' }) }),
          on: { BACK: 'chooseYears' },
          invoke: {
            src: 'query',
            input: ({ context }) => ({ fromYear: context.fromYear, toYear: context.toYear }),
            onDone: [
              { guard: ({ event }) => event.output.records.length === 0, target: 'noRecords' },
              {
                target: 'list',
                actions: assign(({ event, context }) => {
                  const holder = holderOf(event.output.holder, context.identity);
                  const total = event.output.records.reduce((s, r) => s + r.amountFen, 0);
                  return {
                    holder,
                    list: (() => {
                      const records = event.output.records.map(taxRecordView);
                      return { fromYear: context.fromYear, toYear: context.toYear, holder, records, total: yuan(total), selected: records.map((r) => r.voucherNo) };
                    })(),
                  };
                }),
              },
            ],
            onError: { target: 'error', actions: assign({ error: ({ event }) => failed('tax', 'query')(event.error) }) },
          },
        },
        list: {
          entry: assign({ view: ({ context }) => flowView('list', context.list ?? {}), draft: null }),
          on: {
            // The citizen chooses which records go on the slip (all by default).
            'FLOW.EVENT': {
              guard: ({ event, context }) => {
                if (event.name !== 'select') return false;
                const p = taxSelectSchema.safeParse(event.data);
                const known = new Set(context.list?.records.map((r) => r.voucherNo));
                return p.success && p.data.voucherNos.every((v) => known.has(v));
              },
              actions: assign(({ event, context }) => {
                const chosen = new Set(taxSelectSchema.parse(event.data).voucherNos);
                // Kept in list order whatever order the taps came in.
                const list = { ...context.list!, selected: context.list!.records.filter((r) => chosen.has(r.voucherNo)).map((r) => r.voucherNo) };
                return { list, view: flowView('list', list) };
              }),
            },
            CONTINUE: { guard: ({ context }) => (context.list?.selected.length ?? 0) > 0, target: 'confirm' },
            BACK: 'chooseYears',
          },
        },
        confirm: {
          entry: assign(({ context }) => {
            const chosen = new Set(context.list?.selected ?? []);
            const records = (context.list?.records ?? []).filter((r) => chosen.has(r.voucherNo));
            const summarised = records.length > TAX_DETAIL_MAX;
            const years = taxYearSummaries(records);
            const totalFen = records.reduce((s, r) => s + r.amountFen, 0);
            const draft: SlipDraft = {
              ...draftBase(context.holder, context.identity),
              kind: 'tax',
              ...SLIP_TITLES.tax,
              source: '国家税务总局咸宁市税务局',
              summary: [
                ['所属年度 Years', `${context.fromYear}–${context.toYear}`],
                ['记录数 Records', String(records.length)],
                ['合计 Total', yuan(totalFen)],
                ...(summarised ? [['明细 Details', '按年度汇总 Summarised by year'] as [string, string]] : []),
              ],
              records: summarised ? years.map(taxYearSlipRecord) : records.map(taxSlipRecord),
              notes: notesFor('tax'),
            };
            const data: ConfirmData = {
              service: 'tax',
              ...SLIP_TITLES.tax,
              holder: context.holder,
              count: records.length,
              lines: summarised
                ? years.map((y) => `${y.year}：${y.count} · ${yuan(y.totalFen)}`)
                : records.map((r) => `${r.paidOn} ${r.taxType} ${r.amount}`),
              summarised,
            };
            return { draft, key: randomUUID(), view: flowView('confirm', data) };
          }),
          on: { CONTINUE: 'registering', BACK: 'list' },
        },
        registering: {
          entry: assign({ view: () => flowView('registering', { service: 'tax' }) }),
          invoke: {
            src: 'register',
            input: ({ context }) => ({ draft: context.draft!, key: context.key }),
            onDone: {
              target: 'finished',
              actions: assign({ output: ({ event, context }) => printedOutput(event.output.document, event.output.serial, context.list?.selected.length ?? 0) }),
            },
            onError: { target: 'registerError', actions: assign({ error: ({ event }) => failed('tax', 'register')(event.error) }) },
          },
        },
        noRecords: {
          entry: assign({
            view: ({ context }) => flowView('noRecords', { service: 'tax', fromYear: context.fromYear, toYear: context.toYear, kind: null } satisfies NoRecordsData),
          }),
          on: {
            CONTINUE: { target: 'finished', actions: assign({ output: () => noRecordsOutput('tax') }) },
            BACK: 'chooseYears',
          },
        },
        error: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'loading' },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        registerError: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'registering' },
            BACK: 'list',
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? back(),
    }) as AnyStateMachine;
  };

  // ------------------------------------------------------------------------------------ social
  const kindSchema = z.object({ kind: z.enum(['resident', 'flexible']) }).strict();
  const yearSchema = z.object({ year: z.number().int() }).strict();
  const selectSchema = z.object({ voucherNo: z.string().min(1).max(64) }).strict();
  const social: FlowFactory = (deps) => {
    interface Row {
      year: number;
      fen: number;
      record: SocialRecordView;
    }
    interface Ctx extends Common {
      kind: SocialKindId;
      fromYear: number;
      toYear: number;
      rows: Row[];
      year: number;
      selected: SocialRecordView | null;
      /** The slip covers every payment of the chosen year. */
      wholeYear: boolean;
    }
    const query = fromPromise<SocialQueryResponse, { kind: SocialKindId; fromYear: number; toYear: number }>(({ input, signal }) =>
      services.social.queryPayments({ idNumber: fullIdNumber(deps), ...input }, { signal }),
    );
    const yearsData = (c: Ctx): SocialYearsData => {
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
    };
    const listData = (c: Ctx): SocialListData => ({
      kind: c.kind,
      year: c.year,
      holder: c.holder,
      records: c.rows.filter((r) => r.year === c.year).map((r) => r.record),
    });
    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
      actors: { query, register },
    }).createMachine({
      id: 'socialFlow',
      context: ({ input }) => {
        const toYear = defaultTaxYears(now()).toYear;
        return {
          ...commonContext(input),
          kind: 'resident',
          fromYear: toYear - ((options.socialYears ?? 5) - 1),
          toYear,
          rows: [],
          year: toYear,
          selected: null,
          wholeYear: false,
        };
      },
      initial: 'chooseKind',
      states: {
        chooseKind: {
          entry: assign({ view: () => flowView('chooseKind', { kinds: ['resident', 'flexible'] }), rows: [], selected: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event }) => event.name === 'kind' && kindSchema.safeParse(event.data).success,
              target: 'loading',
              actions: assign({ kind: ({ event }) => kindSchema.parse(event.data).kind }),
            },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        loading: {
          entry: assign({ view: () => flowView('loading', { service: 'social' }) }),
          on: { BACK: 'chooseKind' },
          invoke: {
            src: 'query',
            input: ({ context }) => ({ kind: context.kind, fromYear: context.fromYear, toYear: context.toYear }),
            onDone: [
              { guard: ({ event }) => event.output.records.length === 0, target: 'noRecords' },
              {
                target: 'years',
                actions: assign(({ event, context }) => ({
                  holder: holderOf(event.output.holder, context.identity),
                  rows: event.output.records.map((r) => ({ year: socialYear(r), fen: r.amountFen, record: socialRecordView(r) })).reverse(),
                })),
              },
            ],
            onError: { target: 'error', actions: assign({ error: ({ event }) => failed('social', 'query')(event.error) }) },
          },
        },
        years: {
          entry: assign({ view: ({ context }) => flowView('years', yearsData(context)), selected: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }) => {
                if (event.name !== 'year') return false;
                const p = yearSchema.safeParse(event.data);
                return p.success && context.rows.some((r) => r.year === p.data.year);
              },
              target: 'list',
              actions: assign({ year: ({ event }) => yearSchema.parse(event.data).year }),
            },
            BACK: 'chooseKind',
          },
        },
        list: {
          entry: assign({ view: ({ context }) => flowView('list', listData(context)), draft: null, wholeYear: false }),
          on: {
            'FLOW.EVENT': [
              // One slip for the whole year's payments (issue 19).
              { guard: ({ event, context }) => event.name === 'wholeYear' && listData(context).records.length > 0, target: 'confirm', actions: assign({ wholeYear: true, selected: null }) },
              {
              guard: ({ event, context }) => {
                if (event.name !== 'select') return false;
                const p = selectSchema.safeParse(event.data);
                return p.success && listData(context).records.some((r) => r.voucherNo === p.data.voucherNo);
              },
              target: 'confirm',
              actions: assign({
                selected: ({ event, context }) => {
                  const v = selectSchema.parse(event.data).voucherNo;
                  return listData(context).records.find((r) => r.voucherNo === v) ?? null;
                },
              }),
              },
            ],
            BACK: 'years',
          },
        },
        confirm: {
          entry: assign(({ context }) => {
            const slipKind = socialSlipKind(context.kind);
            const rows = context.rows.filter((x) => x.year === context.year);
            const chosen = context.wholeYear ? rows.map((x) => x.record) : [context.selected!];
            const totalFen = context.wholeYear ? rows.reduce((t, x) => t + x.fen, 0) : null;
            const draft: SlipDraft = {
              ...draftBase(context.holder, context.identity),
              kind: slipKind,
              ...SLIP_TITLES[slipKind],
              source: chosen[0]!.collector,
              summary: [
                ['缴费年度 Year', String(context.year)],
                ...(totalFen !== null
                  ? ([
                      ['缴费笔数 Payments', String(chosen.length)],
                      ['合计 Total', yuan(totalFen)],
                    ] as [string, string][])
                  : []),
              ],
              records: chosen.map(socialSlipRecord),
              notes: notesFor('social'),
            };
            const data: ConfirmData = {
              service: 'social',
              ...SLIP_TITLES[slipKind],
              holder: context.holder,
              count: chosen.length,
              lines: chosen.map((r) => `${r.insuranceType} ${r.period} ${r.amount}`),
            };
            return { draft, key: randomUUID(), view: flowView('confirm', data) };
          }),
          on: { CONTINUE: 'registering', BACK: 'list' },
        },
        registering: {
          entry: assign({ view: () => flowView('registering', { service: 'social' }) }),
          invoke: {
            src: 'register',
            input: ({ context }) => ({ draft: context.draft!, key: context.key }),
            onDone: {
              target: 'finished',
              actions: assign({ output: ({ event, context }) => printedOutput(event.output.document, event.output.serial, context.draft?.records.length ?? 1) }),
            },
            onError: { target: 'registerError', actions: assign({ error: ({ event }) => failed('social', 'register')(event.error) }) },
          },
        },
        noRecords: {
          entry: assign({
            view: ({ context }) =>
              flowView('noRecords', { service: 'social', fromYear: context.fromYear, toYear: context.toYear, kind: context.kind } satisfies NoRecordsData),
          }),
          on: {
            CONTINUE: { target: 'finished', actions: assign({ output: () => noRecordsOutput('social') }) },
            BACK: 'chooseKind',
          },
        },
        error: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'loading' },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        registerError: {
          entry: assign({ view: ({ context }) => flowView('error', context.error ?? {}) }),
          on: {
            CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'registering' },
            BACK: 'list',
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? back(),
    }) as AnyStateMachine;
  };

  return { property, tax, social };
}
