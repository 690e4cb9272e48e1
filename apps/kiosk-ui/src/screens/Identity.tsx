import { useT } from '../i18n';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from './types';

/** Place card → reading → masked identity; every failure says what happened and offers a way out. */
export function Identity({ view, send }: ScreenProps) {
  const t = useT();
  const step = view.step ?? 'waitCard';
  const home = (
    <Action testid="back-home" icon="home" onClick={() => send('Session.Home')}>
      {t('common.back')}
    </Action>
  );
  const hotline = view.contact.hotline;
  const eid = view.eid ?? null;
  const retry = (
    <>
      <Action testid="retry" primary onClick={() => send('Session.Retry')}>
        {t('common.retry')}
      </Action>
      {home}
    </>
  );
  switch (step) {
    case 'eidChecking':
      return (
        <Screen name="identity" step={step} icon="card" title={t('identity.title')}>
          <CodeSymbol />
          <Progress text={t('identity.eid.checking')} testid="eid-checking" />
        </Screen>
      );
    case 'eidRefused': {
      const reason = eid?.refused ?? 'unavailable';
      return (
        <Screen name="identity" step={step} icon="alert" tone="bad" title={t(`identity.eid.refused.${reason}`)} actions={retry}>
          <p data-testid="eid-refused" data-reason={reason}>
            {t(`identity.eid.refused.${reason}.hint`)}
          </p>
          <p>{t('identity.eid.orCard')}</p>
        </Screen>
      );
    }
    case 'eidCardOnly':
      return (
        <Screen name="identity" step={step} icon="alert" tone="bad" title={t('identity.eid.cardOnly')} actions={retry}>
          <CardAnimation />
          <p data-testid="eid-card-only">{t('identity.eid.cardOnly.hint')}</p>
        </Screen>
      );
    case 'reading':
      return (
        <Screen name="identity" step={step} icon="card" title={t('identity.title')}>
          <CardAnimation />
          <Progress text={t('identity.reading')} testid="reading" />
        </Screen>
      );
    case 'replace':
      return (
        <Screen name="identity" step={step} icon="alert" tone="bad" title={t('identity.replace')} actions={home}>
          <CardAnimation />
        </Screen>
      );
    case 'unreadable':
      return (
        <Screen
          name="identity"
          step={step}
          icon="alert"
          tone="bad"
          title={t('identity.unreadable')}
          actions={
            <>
              <Action testid="retry" primary onClick={() => send('Session.Retry')}>
                {t('common.retry')}
              </Action>
              {home}
            </>
          }
        >
          <p>{t('identity.unreadable.hint')}</p>
        </Screen>
      );
    case 'readerDown':
      return (
        <Screen name="identity" step={step} icon="alert" tone="bad" title={t('identity.readerDown')} actions={home}>
          <p>{t('identity.readerDown.hint', { hotline })}</p>
          {eid?.offered && <p data-testid="eid-offer">{t('identity.eid.or')}</p>}
        </Screen>
      );
    case 'expired':
      return (
        <Screen name="identity" step={step} icon="alert" tone="bad" title={t('identity.expired')} actions={home}>
          {view.identity && <IdentityCard view={view} />}
          <p>{t('identity.expired.hint', { validTo: view.identity?.validTo ?? '' })}</p>
        </Screen>
      );
    case 'confirmed':
      return (
        <Screen
          name="identity"
          step={step}
          icon="check"
          tone="good"
          title={t('identity.confirmed')}
          actions={
            <>
              <Action testid="continue" primary onClick={() => send('Session.Continue')}>
                {t('common.continue')}
              </Action>
              {home}
            </>
          }
        >
          <IdentityCard view={view} />
          <p>{t('identity.confirmed.hint')}</p>
        </Screen>
      );
    default:
      return (
        <Screen name="identity" step="waitCard" icon="card" title={t('identity.waitCard')} actions={home}>
          {eid?.offered ? (
            // Two ways in, side by side in landscape: the card, or the e-ID code on a phone.
            <div class="id-sources">
              <div class="id-source">
                <CardAnimation />
                <p>{t('identity.waitCard.hint')}</p>
              </div>
              <div class="id-source" data-testid="eid-offer">
                <p class="id-source-title">{t('identity.eid.or')}</p>
                <CodeSymbol />
                <p>{t('identity.eid.hint')}</p>
              </div>
            </div>
          ) : (
            <>
              <CardAnimation />
              <p>{t('identity.waitCard.hint')}</p>
              {eid?.cardOnly && <p data-testid="eid-card-only">{t('identity.eid.cardOnly.note')}</p>}
            </>
          )}
        </Screen>
      );
  }
}

function IdentityCard({ view }: { view: ScreenProps['view'] }) {
  const t = useT();
  if (!view.identity) return null;
  return (
    <dl class="identity-card" data-testid="identity">
      <dt>{t('identity.name')}</dt>
      <dd data-testid="identity-name">{view.identity.name}</dd>
      <dt>{t('identity.number')}</dt>
      <dd data-testid="identity-number">{view.identity.idNumber}</dd>
    </dl>
  );
}

/** A phone showing a QR code, for the e-ID option (decorative: the text says what to do). */
function CodeSymbol() {
  return (
    <svg class="code-symbol" width="120" height="160" viewBox="0 0 120 160" aria-hidden="true" focusable="false">
      <rect x="8" y="4" width="104" height="152" rx="14" fill="none" stroke="currentColor" stroke-width="6" />
      <path
        d="M28 34 H52 V58 H28 Z M68 34 H92 V58 H68 Z M28 74 H52 V98 H28 Z M68 74 H76 V82 H68 Z M84 82 H92 V98 H84 Z M68 90 H76 V98 H68 Z"
        fill="currentColor"
      />
      <path d="M44 132 H76" stroke="currentColor" stroke-width="6" stroke-linecap="round" />
    </svg>
  );
}

/** A card sliding onto the reader; still for people who asked for reduced motion (CSS). */
function CardAnimation() {
  return (
    <svg class="card-anim" width="320" height="200" viewBox="0 0 320 200" aria-hidden="true" focusable="false">
      <rect x="40" y="140" width="240" height="40" rx="8" fill="none" stroke="currentColor" stroke-width="6" />
      <g class="card-anim-card">
        <rect x="90" y="20" width="140" height="90" rx="10" fill="none" stroke="currentColor" stroke-width="6" />
        <path
          d="M104 46 H150 M104 62 H140 M104 78 H150 M176 40 H212 V86 H176 Z"
          stroke="currentColor"
          stroke-width="5"
          fill="none"
        />
      </g>
    </svg>
  );
}
