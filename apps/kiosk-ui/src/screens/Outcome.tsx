import { useState } from 'preact/hooks';
import { badRatingLevels, ratingLevels, ratingReasons, type RatingLevel, type RatingReason } from '@kiosk/contracts/session-view';
import { useT } from '../i18n';
import { Icon } from '../components/Icon';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from './types';
import { goodbyeTakeKey } from './goodbye-text';

export function Printing(_: ScreenProps) {
  const t = useT();
  return (
    <Screen name="printing" icon="printer" title={t('printing.title')}>
      <Progress text={t('printing.title')} testid="printing" />
      <p>{t('printing.hint')}</p>
    </Screen>
  );
}

/** Reasons that mean the printer itself cannot print now (a retry waits for staff). */
const printerDown = new Set(['printerDown', 'paperOut', 'paperJammed']);

export function Result({ view, send }: ScreenProps) {
  const t = useT();
  const r = view.result;
  const p = view.print;
  const failed = p?.state === 'failed';
  // 重新打印 only when the printer is back; until then the screen says so (issue 19).
  const printerReady = !view.availability.notices.some((n) => printerDown.has(n));
  // A failed slip is never shown with a green tick: the service result stands, the paper does not.
  const bad = r?.kind === 'failure' || failed;
  return (
    <Screen
      name="result"
      icon={bad ? 'alert' : 'check'}
      tone={bad ? 'bad' : r?.kind === 'success' ? 'good' : 'normal'}
      title={failed && p?.incomplete ? t('result.slipVoid.title') : r ? t(r.titleKey, r.params) : t('result.generic')}
      actions={
        <>
          {failed && printerReady && (
            <Action testid="print-retry" icon="printer" onClick={() => send('Session.Retry')}>
              {t('result.printRetry')}
            </Action>
          )}
          <Action testid="continue" primary onClick={() => send('Session.Continue')}>
            {t('common.continue')}
          </Action>
        </>
      }
    >
      {failed && p?.incomplete && (
        <p class="notice slip-void" data-testid="slip-void" role="alert">
          <Icon name="alert" size="1em" /> {t('result.slipVoid.body')}
        </p>
      )}
      {r?.messageKey && <p>{t(r.messageKey, r.params)}</p>}
      {p?.state === 'printed' && (
        <p class="status-line" data-testid="print-status">
          <Icon name="printer" size="1em" /> {t('result.printed')}
        </p>
      )}
      {failed && (
        <p class="status-line bad" data-testid="print-status">
          <Icon name="alert" size="1em" /> {t('result.printFailed', { reason: t(`reason.${p.reason ?? 'printFailed'}`) })}
        </p>
      )}
      {failed && !printerReady && <p data-testid="print-wait">{t('result.printWait', { hotline: view.contact.hotline })}</p>}
      {failed && p?.verify && (
        <div class="phone-slip">
          <div
            class="phone-qr"
            data-testid="verify-qr"
            data-url={p.verify.url}
            role="img"
            aria-label={t('result.phoneQr.label')}
            // The SVG comes from the agent's QR encoder (qrcode), from the slip's own verify address.
            dangerouslySetInnerHTML={{ __html: p.verify.qrSvg }}
          />
          <p class="phone-qr-text">{t('result.phoneQr.body')}</p>
        </div>
      )}
    </Screen>
  );
}

export function Rating({ send }: ScreenProps) {
  const t = useT();
  // A bad level asks which reasons apply (optional) before it is sent; the others go at once.
  const [bad, setBad] = useState<RatingLevel | null>(null);
  const [reasons, setReasons] = useState<RatingReason[]>([]);
  const skip = (
    <Action testid="rating-skip" onClick={() => send('Session.Continue')}>
      {t('rating.skip')}
    </Action>
  );
  if (bad) {
    const toggle = (r: RatingReason): void => setReasons((cur) => (cur.includes(r) ? cur.filter((x) => x !== r) : [...cur, r]));
    return (
      <Screen
        name="rating"
        step="reasons"
        title={t('rating.reasons.title', { level: t(`rating.${bad}`) })}
        actions={
          <>
            <Action testid="rating-change" onClick={() => (setBad(null), setReasons([]))}>
              {t('rating.reasons.change')}
            </Action>
            {skip}
            <Action testid="rating-submit" primary onClick={() => send('Session.Rate', { rating: bad, reasons })}>
              {t('rating.reasons.submit')}
            </Action>
          </>
        }
      >
        <p>{t('rating.reasons.hint')}</p>
        <div class="rating-reasons" role="group" aria-label={t('rating.reasons.title', { level: t(`rating.${bad}`) })}>
          {ratingReasons.map((r) => (
            <button
              type="button"
              key={r}
              class={`rating-reason ${reasons.includes(r) ? 'chosen' : ''}`}
              aria-pressed={reasons.includes(r)}
              data-testid={`reason-${r}`}
              onClick={() => toggle(r)}
            >
              <Icon name={reasons.includes(r) ? 'boxChecked' : 'box'} size="1em" />
              <span>{t(`rating.reason.${r}`)}</span>
            </button>
          ))}
        </div>
      </Screen>
    );
  }
  return (
    <Screen name="rating" title={t('rating.title')} actions={skip}>
      <p>{t('rating.hint')}</p>
      <div class="ratings" role="group" aria-label={t('rating.title')}>
        {ratingLevels.map((level) => (
          <button
            type="button"
            key={level}
            class="rating"
            data-testid={`rate-${level}`}
            onClick={() => (badRatingLevels.includes(level) ? setBad(level) : send('Session.Rate', { rating: level }))}
          >
            <Icon name={level} size="1.6em" />
            <span>{t(`rating.${level}`)}</span>
          </button>
        ))}
      </div>
    </Screen>
  );
}

export function Goodbye({ view, send }: ScreenProps) {
  const t = useT();
  return (
    <Screen
      name="goodbye"
      icon="check"
      tone="good"
      title={view.rating ? t('goodbye.thanks') : t('goodbye.title')}
      actions={
        <>
          <Action testid="another" onClick={() => send('Session.Continue')}>
            {t('goodbye.another')}
          </Action>
          <Action testid="finish" primary icon="exit" onClick={() => send('Session.End')}>
            {t('goodbye.finish')}
          </Action>
        </>
      }
    >
      <p class="notice" data-testid="goodbye-take">
        {t(goodbyeTakeKey(view))}
      </p>
    </Screen>
  );
}

export function OutOfService({ view }: ScreenProps) {
  const t = useT();
  const oos = view.availability.outOfService;
  const lang = view.prefs.lang;
  return (
    <main class="screen oos" data-testid="screen-outOfService">
      <div class="screen-body">
        <span class="screen-icon">
          <Icon name="alert" size="1em" />
        </span>
        <h1 class="screen-title">{t('oos.title')}</h1>
        <p>{oos?.reason === 'devices' ? t('oos.devices') : (oos?.message ?? t('oos.mode'))}</p>
        <p class="hotline" data-testid="oos-hotline">
          <Icon name="phone" size="1em" /> {t('oos.hotline', { hotline: view.contact.hotline })}
        </p>
        <p data-testid="oos-hours">{lang === 'en' ? view.contact.hoursEn : view.contact.hoursZh}</p>
        <p>{t('oos.hint')}</p>
      </div>
    </main>
  );
}
