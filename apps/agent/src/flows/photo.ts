/**
 * 自助照相 as a session flow (contract: session/flow.ts; device side: photo/booth.ts; money:
 * photo/orders.ts on the gas money path's provider and rules; docs/photo.md).
 *
 *   use → consent → live{preview ⇄ countdown 3-2-1 → checking} → review (≤ N free retakes)
 *   → paying (QR) → uploading → done (回执号 + QR + how to use; slip printed by the session)
 *                              → pending (paid, upload retried in the background; pending slip)
 *
 * The flow never moves money itself: it asks the photo orders for an order and follows it. The
 * photo stays in memory: the booth holds it for review, the order holds it until the platform has
 * it. When the flow stops for any reason the booth ends (consent revoked, buffers zeroed) and an
 * order still waiting for payment is closed.
 */
import QRCode from 'qrcode';
import { assign, fromCallback, fromPromise, sendParent, setup, type AnyStateMachine } from 'xstate';
import { z } from 'zod';
import { PHOTO_BACKDROPS, PHOTO_USES } from '@kiosk/contracts/photo';
import type {
  PhotoChosen,
  PhotoDoneData,
  PhotoErrorData,
  PhotoHint,
  PhotoLiveData,
  PhotoPayingData,
  PhotoPendingData,
  PhotoReviewData,
  PhotoSpecView,
  PhotoUseData,
} from '@kiosk/contracts/photo-views';
import type { FlowView, ResultView } from '@kiosk/contracts/session-view';
import type { PhotoSpec } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { PhotoApi } from '../photo/api.js';
import { framingGuide } from '../photo/checks.js';
import { photoPendingSlip, photoReceiptSlip } from '../photo/slips.js';
import type { FlowDeps, FlowFactory, FlowInboundEvent, FlowInput, FlowOutput } from '../session/flow.js';

export interface PhotoFlowOptions {
  logger?: Logger;
}

type Internal =
  | { type: 'PHOTO.PREVIEW'; url: string }
  | { type: 'PHOTO.PREVIEW_FAILED' }
  | { type: 'PHOTO.HINT'; hint: PhotoHint | null }
  | { type: 'PHOTO.TICK'; secondsLeft: number };

type Ev = FlowInboundEvent | Internal;

interface Ctx {
  view: FlowView;
  output: FlowOutput | null;
  chosen: PhotoChosen | null;
  previewUrl: string | null;
  hint: PhotoHint | null;
  refusedHint: PhotoHint | null;
  countdown: number;
  retakesLeft: number;
  resultUrl: string | null;
  orderNo: string | null;
  qrSvg: string;
  secondsLeft: number;
  error: PhotoErrorData | null;
  /** Preview restarts after a camera hiccup since the last good shot (a few are tried before the error screen). */
  restarts: number;
}

const specView = (s: PhotoSpec): PhotoSpecView => ({
  use: s.use,
  nameZh: s.nameZh,
  nameEn: s.nameEn,
  width: s.width,
  height: s.height,
  backdrops: [...s.backdrops],
});
const view = (step: string, data: object): FlowView => ({ step, data: data as FlowView['data'] });

class PhotoUnavailable extends Error {}

/** Fresh preview starts, a second apart, before the citizen is shown the camera error. */
const maxPreviewRestarts = 3;

export function createPhotoFlow(options: PhotoFlowOptions = {}): FlowFactory {
  const log = options.logger?.child({ component: 'photo-flow' });
  return (deps: FlowDeps) => {
    const api = (): PhotoApi => {
      const a = deps.photo?.();
      if (!a) throw new PhotoUnavailable('photo module not running');
      return a;
    };
    const specOf = (c: Ctx): PhotoSpec => api().booth.spec(c.chosen?.spec.use ?? '');

    const live = fromCallback<Ev, { chosen: PhotoChosen }>(({ input, sendBack }) => {
      let stop: (() => void) | undefined;
      let left = false;
      const failed = (err: unknown): void => {
        log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'photo preview could not start');
        if (!left) sendBack({ type: 'PHOTO.PREVIEW_FAILED' });
      };
      try {
        const a = api();
        a.booth
          .startPreview(
            a.booth.spec(input.chosen.spec.use),
            (hint) => sendBack({ type: 'PHOTO.HINT', hint: hint }),
            () => sendBack({ type: 'PHOTO.PREVIEW_FAILED' }),
          )
          .then((started) => {
            // The step was left while the camera was still being handed over: let it go again.
            if (left) started.stop();
            else {
              stop = started.stop;
              sendBack({ type: 'PHOTO.PREVIEW', url: started.url });
            }
          }, failed);
      } catch (err) {
        queueMicrotask(() => failed(err));
      }
      return () => {
        left = true;
        stop?.();
      };
    });

    const capture = fromPromise<{ ok: boolean; hint: PhotoHint | null; resultUrl: string | null }, { chosen: PhotoChosen }>(
      async ({ input }) => {
        const a = api();
        const r = await a.booth.capture(a.booth.spec(input.chosen.spec.use), input.chosen.backdrop);
        return { ok: r.ok, hint: r.hint, resultUrl: r.resultUrl };
      },
    );

    const createOrder = fromPromise<{ orderNo: string; qrSvg: string }, { chosen: PhotoChosen }>(async ({ input }) => {
      const a = api();
      const jpeg = a.booth.takeHeld();
      if (!jpeg) throw new Error('no reviewed photo');
      const o = await a.orders.create({ use: input.chosen.spec.use, backdrop: input.chosen.backdrop, sessionId: null, jpeg });
      return {
        orderNo: o.orderNo,
        qrSvg: await QRCode.toString(o.payCodeUrl ?? '', { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      };
    });

    const pay = fromCallback<Ev, { orderNo: string }>(({ input, sendBack }) => {
      const ac = new AbortController();
      void api()
        .orders.awaitPayment(input.orderNo, {
          signal: ac.signal,
          onTick: (secondsLeft) => sendBack({ type: 'PHOTO.TICK', secondsLeft }),
        })
        .then((outcome) => sendBack({ type: 'FLOW.EVENT', name: 'photo.payment', data: { outcome } }))
        .catch(() => sendBack({ type: 'FLOW.EVENT', name: 'photo.payment', data: { outcome: 'unknown' } }));
      return () => ac.abort();
    });

    const upload = fromPromise<{ state: string; code: string | null }, { orderNo: string }>(async ({ input }) => {
      const o = await api().orders.upload(input.orderNo);
      return { state: o.state, code: o.receiptCode };
    });

    /** Runs for the whole flow; its cleanup is the flow's end, however it ends. */
    const guard = fromCallback<Ev, { get: () => string | null }>(({ input }) => () => {
      try {
        const a = api();
        a.booth.end();
        const no = input.get();
        if (no && a.journal.get(no)?.state === 'awaiting_payment') a.orders.cancel(no);
      } catch {
        /* no photo module: nothing to end */
      }
    });

    const codeQr = fromPromise<string, { code: string }>(({ input }) =>
      QRCode.toString(input.code, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
    );

    let currentOrder: string | null = null;
    const useEvent = z.object({ use: z.enum(PHOTO_USES), backdrop: z.enum(PHOTO_BACKDROPS) }).strict();

    const framing = (c: Ctx): Pick<PhotoLiveData, 'frame' | 'guide'> => {
      const { frameWidth: width, frameHeight: height } = api().settings;
      return { frame: { width, height }, guide: framingGuide(specOf(c), width, height) };
    };

    const liveView = (c: Ctx, step: string): FlowView =>
      view(step, {
        ...(c.chosen as PhotoChosen),
        previewUrl: c.previewUrl,
        ...framing(c),
        hint: c.hint,
        refusedHint: c.refusedHint,
        countdown: step === 'countdown' ? c.countdown : null,
        retakesLeft: c.retakesLeft,
      } satisfies PhotoLiveData);

    const result = (kind: ResultView['kind'], key: string): ResultView => ({
      kind,
      titleKey: `result.photo.${key}.title`,
      messageKey: `result.photo.${key}.body`,
    });

    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as Ev, output: {} as FlowOutput },
      actors: { live, capture, createOrder, pay, upload, guard, codeQr },
      actions: {
        busy: sendParent((_, params: { on: boolean }) => ({ type: 'FLOW.BUSY', reason: params.on ? 'payment' : null })),
        persist: sendParent((_, params: { on: boolean }) => ({ type: 'FLOW.PERSIST', on: params.on })),
      },
      delays: { second: 1000 },
    }).createMachine({
      id: 'photoFlow',
      context: (): Ctx => {
        let specs: PhotoSpecView[] = [];
        let priceFen = 0;
        let freeRetakes = 0;
        try {
          specs = api().settings.specs.map(specView);
          priceFen = api().settings.priceFen;
          freeRetakes = api().settings.freeRetakes;
        } catch {
          /* shown as unavailable below */
        }
        return {
          view: view('use', { specs, priceFen, freeRetakes } satisfies PhotoUseData),
          output: null,
          chosen: null,
          previewUrl: null,
          hint: null,
          refusedHint: null,
          countdown: 3,
          retakesLeft: 0,
          resultUrl: null,
          orderNo: null,
          qrSvg: '',
          secondsLeft: 0,
          error: null,
          restarts: 0,
        };
      },
      invoke: { src: 'guard', input: () => ({ get: () => currentOrder }) },
      initial: 'start',
      states: {
        start: {
          always: [
            {
              guard: () => deps.photo?.() === undefined,
              target: 'error',
              actions: assign({ error: (): PhotoErrorData => ({ kind: 'unavailable' }) }),
            },
            { target: 'use' },
          ],
        },
        use: {
          entry: assign({
            view: () =>
              view('use', {
                specs: api().settings.specs.map(specView),
                priceFen: api().settings.priceFen,
                freeRetakes: api().settings.freeRetakes,
              } satisfies PhotoUseData),
          }),
          on: {
            BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
            'FLOW.EVENT': {
              guard: ({ event }) =>
                event.name === 'photo.use' &&
                useEvent.safeParse(event.data).success &&
                (() => {
                  const d = useEvent.parse(event.data);
                  const s = api().settings.specs.find((x) => x.use === d.use);
                  return s !== undefined && s.backdrops.includes(d.backdrop);
                })(),
              target: 'consent',
              actions: assign({
                chosen: ({ event }) => {
                  const d = useEvent.parse((event as { data: unknown }).data);
                  const s = api().settings.specs.find((x) => x.use === d.use) as PhotoSpec;
                  return { spec: specView(s), backdrop: d.backdrop, priceFen: api().settings.priceFen };
                },
                retakesLeft: () => api().settings.freeRetakes,
              }),
            },
          },
        },
        consent: {
          entry: assign({ view: ({ context }) => view('consent', context.chosen as PhotoChosen) }),
          on: {
            CONTINUE: { target: 'live', actions: () => api().booth.grant(null) },
            BACK: 'use',
          },
        },
        live: {
          invoke: { src: 'live', input: ({ context }) => ({ chosen: context.chosen as PhotoChosen }) },
          on: {
            'PHOTO.PREVIEW': { actions: assign({ previewUrl: ({ event }) => event.url }) },
            'PHOTO.PREVIEW_FAILED': [
              // A stalled stream (a busy machine, a camera re-enumerating) gets a few fresh starts.
              { guard: ({ context }) => context.restarts < maxPreviewRestarts, target: 'restarting' },
              { target: 'error', actions: assign({ error: (): PhotoErrorData => ({ kind: 'camera' }) }) },
            ],
            BACK: { target: 'use', actions: () => api().booth.end() },
          },
          initial: 'preview',
          states: {
            preview: {
              entry: assign({ view: ({ context }) => liveView(context, 'preview') }),
              on: {
                'PHOTO.HINT': {
                  actions: assign({
                    hint: ({ event }) => event.hint,
                    view: ({ context, event }) => liveView({ ...context, hint: event.hint }, 'preview'),
                  }),
                },
                'PHOTO.PREVIEW': {
                  actions: assign({
                    previewUrl: ({ event }) => event.url,
                    view: ({ context, event }) => liveView({ ...context, previewUrl: event.url }, 'preview'),
                  }),
                },
                'FLOW.EVENT': {
                  // Not before the picture is live: the still is the preview's next frame.
                  guard: ({ event, context }) => event.name === 'photo.capture' && context.previewUrl !== null,
                  target: 'countdown',
                  actions: assign({ countdown: () => api().settings.countdownSeconds, refusedHint: null }),
                },
              },
            },
            countdown: {
              entry: assign({ view: ({ context }) => liveView(context, 'countdown') }),
              after: {
                second: [
                  { guard: ({ context }) => context.countdown <= 1, target: 'checking' },
                  { target: 'countdown', reenter: true, actions: assign({ countdown: ({ context }) => context.countdown - 1 }) },
                ],
              },
            },
            checking: {
              entry: assign({ view: ({ context }) => liveView(context, 'checking') }),
              invoke: {
                src: 'capture',
                input: ({ context }) => ({ chosen: context.chosen as PhotoChosen }),
                onDone: [
                  {
                    guard: ({ event }) => event.output.ok && event.output.resultUrl !== null,
                    target: '#photoFlow.review',
                    actions: assign({ resultUrl: ({ event }) => event.output.resultUrl }),
                  },
                  { target: 'preview', actions: assign({ refusedHint: ({ event }) => event.output.hint ?? 'noFace' }) },
                ],
                onError: { target: '#photoFlow.error', actions: assign({ error: (): PhotoErrorData => ({ kind: 'camera' }) }) },
              },
            },
          },
        },
        restarting: {
          entry: assign({
            restarts: ({ context }) => context.restarts + 1,
            previewUrl: null,
            view: ({ context }) => liveView({ ...context, previewUrl: null }, 'preview'),
          }),
          after: { second: 'live' },
          on: { BACK: { target: 'use', actions: () => api().booth.end() } },
        },
        review: {
          entry: assign({
            restarts: 0,
            view: ({ context }) =>
              view('review', {
                ...(context.chosen as PhotoChosen),
                resultUrl: context.resultUrl ?? '',
                retakesLeft: context.retakesLeft,
              } satisfies PhotoReviewData),
          }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event, context }) => event.name === 'photo.retake' && context.retakesLeft > 0,
              target: 'live',
              actions: [
                assign({
                  retakesLeft: ({ context }) => context.retakesLeft - 1,
                  hint: null,
                  refusedHint: null,
                  resultUrl: null,
                  previewUrl: null,
                }),
                () => api().booth.dropHeld(),
              ],
            },
            CONTINUE: 'creating',
            BACK: { target: 'use', actions: () => api().booth.end() },
          },
        },
        creating: {
          entry: [
            { type: 'busy', params: { on: true } },
            { type: 'persist', params: { on: true } },
          ],
          invoke: {
            src: 'createOrder',
            input: ({ context }) => ({ chosen: context.chosen as PhotoChosen }),
            onDone: {
              target: 'paying',
              actions: [
                assign({ orderNo: ({ event }) => event.output.orderNo, qrSvg: ({ event }) => event.output.qrSvg }),
                ({ event }) => {
                  currentOrder = event.output.orderNo;
                },
              ],
            },
            onError: {
              target: 'error',
              actions: [assign({ error: (): PhotoErrorData => ({ kind: 'payment' }) }), { type: 'busy', params: { on: false } }],
            },
          },
        },
        paying: {
          entry: assign({
            view: ({ context }) =>
              view('paying', {
                ...(context.chosen as PhotoChosen),
                orderNo: context.orderNo ?? '',
                qrSvg: context.qrSvg,
                secondsLeft: context.secondsLeft,
              } satisfies PhotoPayingData),
          }),
          invoke: { src: 'pay', input: ({ context }) => ({ orderNo: context.orderNo ?? '' }) },
          on: {
            'PHOTO.TICK': {
              actions: assign({
                secondsLeft: ({ event }) => event.secondsLeft,
                view: ({ context, event }) =>
                  view('paying', {
                    ...(context.chosen as PhotoChosen),
                    orderNo: context.orderNo ?? '',
                    qrSvg: context.qrSvg,
                    secondsLeft: event.secondsLeft,
                  } satisfies PhotoPayingData),
              }),
            },
            BACK: { actions: ({ context }) => context.orderNo && api().orders.cancel(context.orderNo) },
            'FLOW.EVENT': [
              {
                guard: ({ event }) => event.name === 'photo.cancel',
                actions: ({ context }) => context.orderNo && api().orders.cancel(context.orderNo),
              },
              { guard: ({ event }) => event.name === 'photo.payment' && event.data['outcome'] === 'paid', target: 'uploading' },
              {
                guard: ({ event }) => event.name === 'photo.payment',
                target: 'error',
                actions: [
                  assign({ error: (): PhotoErrorData => ({ kind: 'unpaid' }) }),
                  { type: 'busy', params: { on: false } },
                  { type: 'persist', params: { on: false } },
                ],
              },
            ],
          },
        },
        uploading: {
          entry: assign({ view: ({ context }) => view('uploading', context.chosen as PhotoChosen) }),
          invoke: {
            src: 'upload',
            input: ({ context }) => ({ orderNo: context.orderNo ?? '' }),
            onDone: [
              { guard: ({ event }) => event.output.state === 'uploaded' && event.output.code !== null, target: 'done' },
              { target: 'pending' },
            ],
            onError: 'pending',
          },
          exit: [
            { type: 'busy', params: { on: false } },
            { type: 'persist', params: { on: false } },
          ],
        },
        done: {
          invoke: {
            src: 'codeQr',
            input: ({ context }) => ({ code: api().journal.require(context.orderNo ?? '').receiptCode ?? '' }),
            onDone: {
              actions: assign({
                view: ({ context, event }) => {
                  const o = api().journal.require(context.orderNo ?? '');
                  const s = specOf(context);
                  return view('done', {
                    ...(context.chosen as PhotoChosen),
                    orderNo: o.orderNo,
                    code: o.receiptCode ?? '',
                    qrSvg: event.output,
                    howToZh: s.howToZh,
                    howToEn: s.howToEn,
                  } satisfies PhotoDoneData);
                },
              }),
            },
          },
          entry: assign({ view: ({ context }) => view('uploading', context.chosen as PhotoChosen) }),
          on: {
            CONTINUE: {
              target: 'finished',
              actions: assign({
                output: ({ context }): FlowOutput => {
                  const a = api();
                  const o = a.orders.finish(context.orderNo ?? '');
                  return {
                    outcome: 'done',
                    result: { ...result('success', 'done'), params: { code: o.receiptCode ?? '' } },
                    print: { document: photoReceiptSlip(o, specOf(context), a.slipContext()) },
                  };
                },
              }),
            },
          },
        },
        pending: {
          entry: assign({
            view: ({ context }) =>
              view('pending', {
                ...(context.chosen as PhotoChosen),
                orderNo: context.orderNo ?? '',
                giveUpMinutes: Math.round(api().settings.uploadGiveUpMs / 60_000),
              } satisfies PhotoPendingData),
          }),
          on: {
            CONTINUE: {
              target: 'finished',
              actions: assign({
                output: ({ context }): FlowOutput => {
                  const a = api();
                  const o = a.journal.require(context.orderNo ?? '');
                  return {
                    outcome: 'done',
                    result: result('info', 'pending'),
                    print: {
                      document: photoPendingSlip(
                        o,
                        specOf(context),
                        Math.round(a.settings.uploadGiveUpMs / 60_000),
                        a.slipContext(),
                      ),
                    },
                  };
                },
              }),
            },
          },
        },
        error: {
          entry: assign({
            view: ({ context }) => view('error', (context.error ?? { kind: 'unavailable' }) satisfies PhotoErrorData),
          }),
          on: {
            // The camera failed before any money moved: the citizen may try again from the preview.
            'FLOW.EVENT': {
              guard: ({ event, context }) => event.name === 'photo.retry' && context.error?.kind === 'camera',
              target: 'live',
              actions: assign({ error: null, restarts: 0, previewUrl: null, hint: null, refusedHint: null }),
            },
            CONTINUE: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
            BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? { outcome: 'back' },
    }) as AnyStateMachine;
  };
}
