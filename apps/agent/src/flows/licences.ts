/**
 * 电子证照打印 (issue 18) as a session flow (contract in session/flow.ts):
 *
 *   consent → purpose → loading → list → preview → registering → (session prints)
 *                                   └ noRecords / error        └ registerError
 *
 * Identity comes from the session's shared identity step through `FlowDeps.identity()`: the
 * flow needs only the holder's ID number from whatever source filled the session's vault (the ID
 * card today; an e-ID QR source plugs in there, not here). Fetching needs the citizen's explicit
 * consent (a tap on 同意获取), and the library records each fetch and each printed copy as a
 * use (用证记录) with the purpose the citizen picked. Screens and slip carry masked fields only
 * (privacy/mask.ts), like the other slips; the slip is registered with the slip registry for its
 * serial and `/verify/<serial>` QR exactly like the record slips (receipts/slips).
 */
import { randomUUID } from 'node:crypto';
import { assign, fromPromise, setup, type AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import { maskAddress, maskIdNumber, maskName } from '@kiosk/platform';
import type { ReceiptDocument } from '../receipts/document.js';
import { slipDocument, type SlipDraft } from '../receipts/slips/index.js';
import {
  licencePurposes,
  licenceTypes,
  type Licence,
  type LicencePurpose,
  type LicenceQueryResponse,
} from '../services/licences.js';
import type { Services } from '../services/index.js';
import {
  doneWith,
  type FlowDeps,
  type FlowFactory,
  type FlowInboundEvent,
  type FlowInput,
  type FlowOutput,
} from '../session/flow.js';
import type { FlowView, MaskedIdentity } from '@kiosk/contracts/session-view';
import { errorData, errorLog, holderOf } from './present.js';
import { back, createRecordFlowKit, flowView, fullIdNumber, registerSlip, slipVerifyBase } from './record-steps.js';
import type {
  LicenceConsentData,
  LicenceErrorData,
  LicenceListData,
  LicencePreviewData,
  LicencePurposeData,
  LicenceView,
} from '@kiosk/contracts/licence-views';
import type { HolderView } from '@kiosk/contracts/record-views';

export type LicenceServices = Pick<Services, 'licences' | 'slips'>;

const LICENCE_LIBRARY_NAME = '湖北省电子证照库';

/** 用证事由 as printed on the slip (the UI has its own catalogue words for the screen). */
const purposeText: Record<LicencePurpose, string> = {
  socialInsurance: '办理社保 Social insurance',
  schoolEnrolment: '子女入学 School enrolment',
  bankLoan: '银行贷款 Bank loan',
  housingFund: '公积金提取 Housing fund',
  other: '其他事项 Other',
};

/** The licence with its fields masked the way every slip masks them. */
function licenceView(l: Licence): LicenceView {
  return {
    licenceId: l.licenceId,
    type: l.type,
    typeName: l.typeName,
    number: l.number,
    issuer: l.issuer,
    issuedOn: l.issuedOn,
    validTo: l.validTo,
    fields: l.fields.map((f) => ({
      label: f.label,
      value:
        f.kind === 'name'
          ? maskName(f.value)
          : f.kind === 'idNumber'
            ? maskIdNumber(f.value)
            : f.kind === 'address'
              ? maskAddress(f.value)
              : f.value,
    })),
  };
}

const validText = (v: string): string => (v === 'long-term' ? '长期 Long-term' : v);

/** The 用证凭证: the licence's key fields, the purpose, the print time (added by slipDocument) and the QR. */
function licenceSlipDraft(
  l: LicenceView,
  purpose: LicencePurpose,
  base: Pick<SlipDraft, 'kioskId' | 'location' | 'holder' | 'printedAt'>,
  library: string,
): SlipDraft {
  return {
    ...base,
    kind: 'licence-copy',
    title: '电子证照用证凭证',
    subtitle: 'Certified copy of an electronic licence',
    source: library,
    summary: [
      ['证照名称 Licence', l.typeName],
      ['证照编号 Number', l.number],
      ['发证机关 Issuer', l.issuer],
      ['发证日期 Issued', l.issuedOn],
      ['有效期至 Valid to', validText(l.validTo)],
      ['用证事由 Purpose', purposeText[purpose]],
    ],
    records: [
      { heading: `${l.typeName} 主要信息 Key fields`, rows: l.fields.map((f) => [f.label, f.value] as [string, string]) },
    ],
    notes: [
      '本凭证依据电子证照库数据打印，仅用于上述用证事由',
      'Printed from the licence library; valid for the purpose above only',
      '扫描二维码或访问上方地址可核验本凭证',
      'Scan the QR code to verify this slip',
    ],
  };
}

export interface LicenceFlowOptions {
  logger?: Logger;
  now?: () => Date;
}

interface Ctx {
  view: FlowView;
  output: FlowOutput | null;
  identity: MaskedIdentity | null;
  holder: HolderView | null;
  library: string;
  purpose: LicencePurpose | null;
  licences: LicenceView[];
  selected: LicenceView | null;
  error: LicenceErrorData | null;
  draft: SlipDraft | null;
  /** Idempotency key of the confirmed copy: slip registration and the use record share it. */
  key: string;
}

function licenceError(err: unknown): LicenceErrorData {
  // errorData's wording and retry rules, for this service (it only echoes the service id).
  const { message, retryable } = errorData('property', err);
  return { service: 'licence', message, retryable };
}

const consentSchema = z.object({ agree: z.literal(true) }).strict();
const purposeSchema = z.object({ purpose: z.enum(licencePurposes) }).strict();
const selectSchema = z.object({ licenceId: z.string().min(1).max(64) }).strict();

export function createLicenceFlow(
  services: LicenceServices,
  config: Pick<KioskConfig, 'kiosk'> & { slips?: KioskConfig['slips'] },
  options: LicenceFlowOptions = {},
): FlowFactory {
  const now = options.now ?? (() => new Date());
  const verifyBase = slipVerifyBase(config);
  // The kit's slip top (kiosk, masked holder, print time); its registry actor is not used: a
  // licence copy also records the use (below).
  const kit = createRecordFlowKit(services.slips, config, { now });
  const log = options.logger?.child({ component: 'licence-flow' });

  return (deps: FlowDeps) => {
    const query = fromPromise<LicenceQueryResponse, { purpose: LicencePurpose }>(({ input, signal }) =>
      services.licences.query(fullIdNumber(deps), input.purpose, { signal }),
    );
    const register = fromPromise<
      { document: ReceiptDocument; serial: string },
      { draft: SlipDraft; key: string; licenceId: string; purpose: LicencePurpose }
    >(async ({ input, signal }) => {
      const reg = await registerSlip(services.slips, verifyBase, input, signal);
      // The printed copy is a use of the licence (用证记录); the same key makes a retry record it once.
      await services.licences.recordPrint(
        {
          idempotencyKey: input.key,
          licenceId: input.licenceId,
          action: 'print',
          purpose: input.purpose,
          slipSerial: reg.serial,
        },
        { signal },
      );
      log?.info({ serial: reg.serial, purpose: input.purpose }, 'licence copy registered and its use recorded');
      return { document: slipDocument(input.draft, reg), serial: reg.serial };
    });
    const failed =
      (what: string) =>
      (err: unknown): LicenceErrorData => {
        log?.warn({ step: what, ...errorLog(err) }, 'licence flow step failed');
        return licenceError(err);
      };
    const consentView = (c: Ctx): FlowView =>
      flowView('consent', { library: c.library, holder: c.holder, types: [...licenceTypes] } satisfies LicenceConsentData);
    const purposeView = (c: Ctx): FlowView =>
      flowView('purpose', { purposes: [...licencePurposes], purpose: c.purpose } satisfies LicencePurposeData);
    const listView = (c: Ctx): FlowView =>
      flowView('list', {
        library: c.library,
        holder: c.holder,
        purpose: c.purpose!,
        licences: c.licences,
      } satisfies LicenceListData);

    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
      actors: { query, register },
    }).createMachine({
      id: 'licenceFlow',
      context: ({ input }) => ({
        view: flowView('consent', {}),
        output: null,
        identity: input.identity,
        holder: input.identity ? { name: input.identity.name, idNumber: input.identity.idNumber } : null,
        library: LICENCE_LIBRARY_NAME,
        purpose: null,
        licences: [],
        selected: null,
        error: null,
        draft: null,
        key: '',
      }),
      initial: 'consent',
      states: {
        consent: {
          entry: assign({ view: ({ context }) => consentView(context) }),
          on: {
            // Explicit: only a tap on 同意 sends {agree: true}; Continue alone does not fetch anything.
            'FLOW.EVENT': {
              guard: ({ event }) => event.name === 'consent' && consentSchema.safeParse(event.data).success,
              target: 'purpose',
              actions: () => log?.info('citizen consented to fetch their licences'),
            },
            BACK: { target: 'finished', actions: assign({ output: back }) },
          },
        },
        purpose: {
          entry: assign({ view: ({ context }) => purposeView(context) }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event }) => event.name === 'purpose' && purposeSchema.safeParse(event.data).success,
              target: 'loading',
              actions: assign({ purpose: ({ event }) => purposeSchema.parse(event.data).purpose }),
            },
            BACK: 'consent',
          },
        },
        loading: {
          entry: assign({ view: () => flowView('loading', { service: 'licence' }) }),
          on: { BACK: 'purpose' },
          invoke: {
            src: 'query',
            input: ({ context }) => ({ purpose: context.purpose! }),
            onDone: [
              { guard: ({ event }) => event.output.licences.length === 0, target: 'noRecords' },
              {
                target: 'list',
                actions: assign(({ event, context }) => ({
                  library: event.output.library,
                  holder: holderOf(event.output.holder, context.identity),
                  licences: event.output.licences.map(licenceView),
                })),
              },
            ],
            onError: { target: 'error', actions: assign({ error: ({ event }) => failed('query')(event.error) }) },
          },
        },
        list: {
          entry: assign({ view: ({ context }) => listView(context), selected: null, draft: null }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }) => {
                if (event.name !== 'select') return false;
                const p = selectSchema.safeParse(event.data);
                return p.success && context.licences.some((l) => l.licenceId === p.data.licenceId);
              },
              target: 'preview',
              actions: assign({
                selected: ({ event, context }) =>
                  context.licences.find((l) => l.licenceId === selectSchema.parse(event.data).licenceId) ?? null,
              }),
            },
            BACK: 'purpose',
          },
        },
        preview: {
          entry: assign(({ context }) => {
            const l = context.selected!;
            const draft = licenceSlipDraft(l, context.purpose!, kit.draftBase(context.holder, context.identity), context.library);
            return {
              draft,
              key: randomUUID(),
              view: flowView('preview', {
                holder: context.holder,
                purpose: context.purpose!,
                licence: l,
              } satisfies LicencePreviewData),
            };
          }),
          on: { CONTINUE: 'registering', BACK: 'list' },
        },
        registering: {
          entry: assign({ view: () => flowView('registering', { service: 'licence' }) }),
          invoke: {
            src: 'register',
            input: ({ context }) => ({
              draft: context.draft!,
              key: context.key,
              licenceId: context.selected!.licenceId,
              purpose: context.purpose!,
            }),
            onDone: {
              target: 'finished',
              actions: assign({
                output: ({ event, context }): FlowOutput => ({
                  outcome: 'done',
                  result: {
                    kind: 'success',
                    titleKey: 'licence.result.title',
                    messageKey: 'licence.result.body',
                    params: { serial: event.output.serial, licence: context.selected!.typeName },
                  },
                  print: { document: event.output.document },
                }),
              }),
            },
            onError: { target: 'registerError', actions: assign({ error: ({ event }) => failed('register')(event.error) }) },
          },
        },
        noRecords: {
          entry: assign({ view: () => flowView('noLicences', { service: 'licence' }) }),
          on: {
            CONTINUE: {
              target: 'finished',
              actions: assign({
                output: () => doneWith({ kind: 'info', titleKey: 'licence.none.title', messageKey: 'licence.none.result' }),
              }),
            },
            BACK: 'purpose',
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
            BACK: 'preview',
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? back(),
    }) as AnyStateMachine;
  };
}
