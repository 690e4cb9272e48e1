import type { FunctionComponent } from 'preact';
import { useState } from 'preact/hooks';
import type { PhotoBackdrop } from '@kiosk/contracts/photo';
import type {
  PhotoChosen,
  PhotoDoneData,
  PhotoErrorData,
  PhotoLiveData,
  PhotoPayingData,
  PhotoPendingData,
  PhotoReviewData,
  PhotoUseData,
} from '@kiosk/contracts/photo-views';
import type { ServiceId } from '@kiosk/contracts/session-view';
import { useT, usePrefs, type T } from '../i18n';
import { Icon } from '../components/Icon';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from '../screens/types';
import { back, cont, event } from './actions';
import { ErrorStepFrame, FlowHomeAction } from './FlowScreens';
import { stepData } from './step-data';
import { yuan } from '@kiosk/platform/money';
import './photo.css';

/**
 * Screens of the 自助照相 flow (apps/agent/src/flows/photo.ts). The agent decides the step and
 * runs the checks; the live picture and the cropped photo come from one-off URLs of the agent and
 * exist only during the session. Hints are printed here and spoken by voice guidance (speech.ts).
 */

function useName(): (c: PhotoChosen['spec']) => string {
  const { lang } = usePrefs();
  return (s) => (lang === 'en' ? s.nameEn : s.nameZh);
}

function UseStep({ view, send }: ScreenProps) {
  const t = useT();
  const name = useName();
  const d = stepData<PhotoUseData>(view);
  const [backdrops, setBackdrops] = useState<Record<string, PhotoBackdrop>>({});
  return (
    <Screen
      name="service"
      step="use"
      icon="photo"
      title={t('photo.use.title')}
      actions={<FlowHomeAction send={send} testid="photo-home" />}
    >
      <p class="photo-price" data-testid="photo-price">
        {t('photo.use.price', { price: yuan(d.priceFen), retakes: d.freeRetakes })}
      </p>
      <div class="photo-uses">
        {d.specs.map((s) => {
          const chosen = backdrops[s.use] ?? s.backdrops[0] ?? 'white';
          return (
            <div class="photo-use" key={s.use}>
              <button
                type="button"
                class="photo-use-main"
                data-testid={`photo-use-${s.use}`}
                onClick={event(send, 'photo.use', { use: s.use, backdrop: chosen })}
              >
                <span class="photo-use-name">{name(s)}</span>
                <span class="photo-use-size">{t('photo.use.size', { width: s.width, height: s.height })}</span>
              </button>
              {s.backdrops.length > 1 && (
                <div class="photo-backdrops" role="radiogroup" aria-label={`${name(s)} ${t('photo.backdrop.title')}`}>
                  {s.backdrops.map((b) => (
                    <button
                      type="button"
                      key={b}
                      role="radio"
                      aria-checked={chosen === b}
                      class={`photo-backdrop photo-backdrop-${b}${chosen === b ? ' chosen' : ''}`}
                      data-testid={`photo-backdrop-${s.use}-${b}`}
                      onClick={() => setBackdrops({ ...backdrops, [s.use]: b })}
                    >
                      {t(`photo.backdrop.${b}`)}
                    </button>
                  ))}
                </div>
              )}
            </div>
          );
        })}
      </div>
    </Screen>
  );
}

function ConsentStep({ view, send }: ScreenProps) {
  const t = useT();
  const name = useName();
  const d = stepData<PhotoChosen>(view);
  return (
    <Screen
      name="service"
      step="consent"
      icon="camera"
      title={t('photo.consent.title')}
      actions={
        <>
          <Action testid="photo-consent-agree" primary onClick={cont(send)}>
            {t('photo.consent.agree')}
          </Action>
          <Action testid="photo-consent-back" onClick={back(send)}>
            {t('flows.previous')}
          </Action>
        </>
      }
    >
      <p class="photo-big" data-testid="photo-consent-text">
        {t('photo.consent.body')}
      </p>
      <p>{t('photo.consent.use', { use: name(d.spec) })}</p>
    </Screen>
  );
}

const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;

function hintText(t: T, d: PhotoLiveData): string {
  return d.hint ? t(`photo.hint.${d.hint}`) : t('photo.preview.ready');
}

function LiveStep({ view, send }: ScreenProps) {
  const t = useT();
  const step = view.flow!.step;
  const d = stepData<PhotoLiveData>(view);
  return (
    <Screen
      name="service"
      step={step}
      icon="camera"
      title={t('photo.preview.title')}
      actions={
        step === 'preview' ? (
          <>
            {/* Offered once the picture is live: the agent takes the still from the running preview. */}
            {d.previewUrl && (
              <Action testid="photo-capture" primary icon="camera" onClick={event(send, 'photo.capture')}>
                {t('photo.capture')}
              </Action>
            )}
            <Action testid="photo-back" onClick={back(send)}>
              {t('flows.previous')}
            </Action>
          </>
        ) : undefined
      }
    >
      <div class="photo-live">
        <div class="photo-frame" style={{ aspectRatio: `${d.frame.width} / ${d.frame.height}` }}>
          {d.previewUrl ? (
            <img src={d.previewUrl} alt={t('photo.preview.alt')} data-testid="photo-preview" />
          ) : (
            <Progress text={t('photo.preview.loading')} />
          )}
          {/* Framing guide: where the head goes for the chosen spec. */}
          <div
            class="photo-guide"
            aria-hidden="true"
            data-testid="photo-guide"
            style={{
              left: percent(d.guide.left),
              top: percent(d.guide.top),
              width: percent(d.guide.width),
              height: percent(d.guide.height),
            }}
          />
          {step === 'countdown' && d.countdown !== null && (
            <div class="photo-countdown" data-testid="photo-countdown" aria-live="assertive">
              {t('photo.countdown', { n: d.countdown })}
            </div>
          )}
        </div>
        <div class="photo-side">
          {d.refusedHint && step === 'preview' && (
            <p class="photo-hint bad" data-testid="photo-refused" data-hint={d.refusedHint} role="alert">
              <Icon name="alert" size="1em" /> {t('photo.refused', { hint: t(`photo.hint.${d.refusedHint}`) })}
            </p>
          )}
          <p class={`photo-hint${d.hint ? ' bad' : ' good'}`} data-testid="photo-hint" data-hint={d.hint ?? ''} role="status">
            <Icon name={d.hint ? 'alert' : 'check'} size="1em" /> {step === 'checking' ? t('photo.checking') : hintText(t, d)}
          </p>
          <p>{t('photo.preview.guide')}</p>
          <p data-testid="photo-retakes">{t('photo.retakesLeft', { n: d.retakesLeft })}</p>
        </div>
      </div>
    </Screen>
  );
}

function ReviewStep({ view, send }: ScreenProps) {
  const t = useT();
  const name = useName();
  const d = stepData<PhotoReviewData>(view);
  return (
    <Screen
      name="service"
      step="review"
      icon="photo"
      title={t('photo.review.title')}
      actions={
        <>
          <Action testid="photo-review-ok" primary onClick={cont(send)}>
            {t('photo.review.ok')}
          </Action>
          {d.retakesLeft > 0 && (
            <Action testid="photo-retake" icon="camera" onClick={event(send, 'photo.retake')}>
              {t('photo.review.retake')}
            </Action>
          )}
        </>
      }
    >
      <div class="photo-live">
        <div class="photo-result">
          <img
            src={d.resultUrl}
            alt={t('photo.review.alt')}
            data-testid="photo-result"
            width={d.spec.width}
            height={d.spec.height}
          />
        </div>
        <div class="photo-side">
          <p class="photo-big">
            {name(d.spec)} · {t('photo.use.size', { width: d.spec.width, height: d.spec.height })}
          </p>
          <p data-testid="photo-retakes">
            {d.retakesLeft > 0 ? t('photo.retakesLeft', { n: d.retakesLeft }) : t('photo.review.noRetake')}
          </p>
          <p class="photo-amount">{yuan(d.priceFen)}</p>
        </div>
      </div>
    </Screen>
  );
}

function PayingStep({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<PhotoPayingData>(view);
  const mm = Math.floor(d.secondsLeft / 60);
  const ss = String(d.secondsLeft % 60).padStart(2, '0');
  return (
    <Screen
      name="service"
      step="paying"
      icon="photo"
      title={t('photo.pay.title', { price: yuan(d.priceFen) })}
      actions={
        <Action testid="photo-pay-cancel" onClick={event(send, 'photo.cancel')}>
          {t('photo.pay.cancel')}
        </Action>
      }
    >
      <div class="photo-live">
        <div
          class="photo-qr"
          data-testid="photo-qr"
          data-order={d.orderNo}
          role="img"
          aria-label={t('photo.pay.qrLabel')}
          // The SVG comes from the agent's QR encoder (qrcode), not from any user input.
          dangerouslySetInnerHTML={{ __html: d.qrSvg }}
        />
        <div class="photo-side">
          <p class="photo-amount">{yuan(d.priceFen)}</p>
          <p class="photo-big">{t('photo.pay.scan')}</p>
          <p>
            {t('photo.pay.order')}: <span data-testid="photo-order-no">{d.orderNo}</span>
          </p>
          {d.secondsLeft > 0 && <p aria-live="off">{t('photo.pay.left', { time: `${mm}:${ss}` })}</p>}
        </div>
      </div>
    </Screen>
  );
}

function UploadingStep() {
  const t = useT();
  return (
    <Screen name="service" step="uploading" icon="photo" title={t('photo.uploading')}>
      <Progress text={t('photo.uploading')} testid="photo-uploading" />
    </Screen>
  );
}

function DoneStep({ view, send }: ScreenProps) {
  const t = useT();
  const name = useName();
  const { lang } = usePrefs();
  const d = stepData<PhotoDoneData>(view);
  return (
    <Screen
      name="service"
      step="done"
      icon="check"
      tone="good"
      title={t('photo.done.title')}
      actions={
        <Action testid="photo-done-print" primary icon="printer" onClick={cont(send)}>
          {t('photo.done.print')}
        </Action>
      }
    >
      <div class="photo-live">
        <div
          class="photo-qr"
          data-testid="photo-code-qr"
          role="img"
          aria-label={t('photo.done.qrLabel')}
          // The SVG comes from the agent's QR encoder (qrcode), not from any user input.
          dangerouslySetInnerHTML={{ __html: d.qrSvg }}
        />
        <div class="photo-side">
          <dl class="fields photo-fields">
            <dt>{t('photo.done.code')}</dt>
            <dd class="photo-code" data-testid="photo-code">
              {d.code}
            </dd>
            <dt>{t('photo.done.use')}</dt>
            <dd>{name(d.spec)}</dd>
          </dl>
          <p data-testid="photo-howto">{lang === 'en' ? d.howToEn : d.howToZh}</p>
          <p>{t('photo.done.deleted')}</p>
        </div>
      </div>
    </Screen>
  );
}

function PendingStep({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<PhotoPendingData>(view);
  return (
    <Screen
      name="service"
      step="pending"
      icon="alert"
      title={t('photo.pending.title')}
      actions={
        <Action testid="photo-pending-print" primary icon="printer" onClick={cont(send)}>
          {t('photo.pending.print')}
        </Action>
      }
    >
      <p class="photo-big" data-testid="photo-pending">
        {t('photo.pending.body', { orderNo: d.orderNo, minutes: d.giveUpMinutes })}
      </p>
    </Screen>
  );
}

function ErrorStep({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<PhotoErrorData>(view);
  return (
    <ErrorStepFrame
      title={t('photo.error.title')}
      actions={
        <>
          {d.kind === 'camera' && (
            <Action testid="photo-retry" primary icon="camera" onClick={event(send, 'photo.retry')}>
              {t('photo.error.retry')}
            </Action>
          )}
          <FlowHomeAction send={send} testid="photo-home" />
        </>
      }
    >
      <p class="photo-big" data-testid="photo-error" data-kind={d.kind}>
        {t(`photo.error.${d.kind}`)}
      </p>
    </ErrorStepFrame>
  );
}

const steps: Record<string, FunctionComponent<ScreenProps>> = {
  use: UseStep,
  consent: ConsentStep,
  preview: LiveStep,
  countdown: LiveStep,
  checking: LiveStep,
  review: ReviewStep,
  paying: PayingStep,
  uploading: UploadingStep,
  done: DoneStep,
  pending: PendingStep,
  error: ErrorStep,
};

function PhotoScreen(props: ScreenProps) {
  const C = steps[props.view.flow?.step ?? 'use'] ?? UploadingStep;
  return <C {...props} />;
}

export const photoFlowScreens: Partial<Record<ServiceId, FunctionComponent<ScreenProps>>> = { photo: PhotoScreen };

/** What voice guidance says on the photo steps: the hint the screen prints, the countdown, the next action. */
export function photoSpeech(step: string, data: Record<string, unknown>, t: T): string {
  switch (step) {
    case 'use':
      return t('photo.use.title');
    case 'consent':
      return `${t('photo.consent.title')}。${t('photo.consent.body')}`;
    case 'preview': {
      const d = data as unknown as PhotoLiveData;
      return d.refusedHint ? t('photo.refused', { hint: t(`photo.hint.${d.refusedHint}`) }) : hintText(t, d);
    }
    case 'countdown':
      return String((data as unknown as PhotoLiveData).countdown ?? '');
    case 'checking':
      return t('photo.checking');
    case 'review':
      return t('photo.review.title');
    case 'paying':
      return t('photo.pay.scan');
    case 'done':
      return `${t('photo.done.title')}。${t('photo.done.code')} ${(data as unknown as PhotoDoneData).code}`;
    case 'pending':
      return t('photo.pending.title');
    default:
      return t('service.photo');
  }
}
