import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';
import { Progress } from '../components/Progress';
import { Screen } from '../components/Screen';
import { ContinueAction, HomeAction, ProblemScreen } from './SessionActions';
import type { ScreenProps } from './types';

/** Place card → reading → masked identity; every failure says what happened and offers a way out. */
export function Identity({ view, send }: ScreenProps) {
  const t = useT();
  const step = view.step ?? 'waitCard';
  const home = <HomeAction send={send} />;
  const hotline = view.contact.hotline;
  const eid = view.eid ?? null;
  switch (step) {
    case 'eidChecking':
      return <Working step={step} art={<CodeSymbol />} text={t('identity.eid.checking')} testid="eid-checking" />;
    case 'eidRefused': {
      const reason = eid?.refused ?? 'unavailable';
      return (
        <ProblemScreen name="identity" step={step} title={t(`identity.eid.refused.${reason}`)} send={send} retry wayOut={home}>
          <p data-testid="eid-refused" data-reason={reason}>
            {t(`identity.eid.refused.${reason}.hint`)}
          </p>
          <p>{t('identity.eid.orCard')}</p>
        </ProblemScreen>
      );
    }
    case 'eidCardOnly':
      return (
        <ProblemScreen name="identity" step={step} title={t('identity.eid.cardOnly')} send={send} retry wayOut={home}>
          <CardAnimation />
          <p data-testid="eid-card-only">{t('identity.eid.cardOnly.hint')}</p>
        </ProblemScreen>
      );
    case 'reading':
      return <Working step={step} art={<CardAnimation />} text={t('identity.reading')} testid="reading" />;
    case 'replace':
      return (
        <ProblemScreen name="identity" step={step} title={t('identity.replace')} send={send} retry={false} wayOut={home}>
          <CardAnimation />
        </ProblemScreen>
      );
    case 'unreadable':
      return (
        <ProblemScreen name="identity" step={step} title={t('identity.unreadable')} send={send} retry wayOut={home}>
          <p>{t('identity.unreadable.hint')}</p>
        </ProblemScreen>
      );
    case 'readerDown':
      return (
        <ProblemScreen name="identity" step={step} title={t('identity.readerDown')} send={send} retry={false} wayOut={home}>
          <p>{t('identity.readerDown.hint', { hotline })}</p>
          {eid?.offered && <p data-testid="eid-offer">{t('identity.eid.or')}</p>}
        </ProblemScreen>
      );
    case 'expired':
      return (
        <ProblemScreen name="identity" step={step} title={t('identity.expired')} send={send} retry={false} wayOut={home}>
          {view.identity && <IdentityCard view={view} />}
          <p>{t('identity.expired.hint', { validTo: view.identity?.validTo ?? '' })}</p>
        </ProblemScreen>
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
              <ContinueAction send={send} />
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

/** Reading the card or checking the e-ID code: what is being read, and the spinner with words. */
function Working({ step, art, text, testid }: { step: string; art: ComponentChildren; text: string; testid: string }) {
  const t = useT();
  return (
    <Screen name="identity" step={step} icon="card" title={t('identity.title')}>
      {art}
      <Progress text={text} testid={testid} />
    </Screen>
  );
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
