import { ratingLevels } from '../../../device-agent/src/session/view-model';
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

export function Result({ view, send }: ScreenProps) {
  const t = useT();
  const r = view.result;
  const p = view.print;
  const failed = p?.state === 'failed';
  return (
    <Screen
      name="result"
      icon={r?.kind === 'failure' ? 'alert' : 'check'}
      tone={r?.kind === 'failure' ? 'bad' : r?.kind === 'success' ? 'good' : 'normal'}
      title={r ? t(r.titleKey, r.params) : t('result.generic')}
      actions={
        <>
          {failed && (
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
    </Screen>
  );
}

export function Rating({ send }: ScreenProps) {
  const t = useT();
  return (
    <Screen
      name="rating"
      title={t('rating.title')}
      actions={
        <Action testid="rating-skip" onClick={() => send('Session.Continue')}>
          {t('rating.skip')}
        </Action>
      }
    >
      <p>{t('rating.hint')}</p>
      <div class="ratings" role="group" aria-label={t('rating.title')}>
        {ratingLevels.map((level) => (
          <button type="button" key={level} class="rating" data-testid={`rate-${level}`} onClick={() => send('Session.Rate', { rating: level })}>
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
      <p class="notice" data-testid="goodbye-take">{t(goodbyeTakeKey(view))}</p>
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
