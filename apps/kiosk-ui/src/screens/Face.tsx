import { useT } from '../i18n';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import { ContinueAction, HomeAction, ProblemScreen } from './SessionActions';
import type { ScreenProps } from './types';

/** Face check: separate consent where "yes" and "no" look alike (no nudging), live preview, capture, result. */
export function Face({ view, send }: ScreenProps) {
  const t = useT();
  const step = view.step ?? 'consent';
  const optional = view.service?.face === 'optional';
  const hotline = view.contact.hotline;
  const decline = (
    <Action testid="face-decline" onClick={() => send('Session.FaceConsent', { agree: false })}>
      {t('face.decline')}
    </Action>
  );
  const home = <HomeAction send={send} />;
  switch (step) {
    case 'preview':
    case 'capturing':
      return (
        <Screen
          name="face"
          step={step}
          icon="camera"
          title={t('face.preview')}
          actions={
            step === 'preview' ? (
              <>
                <Action testid="face-capture" primary icon="camera" onClick={() => send('Session.FaceCapture')}>
                  {t('face.capture')}
                </Action>
                {home}
              </>
            ) : undefined
          }
        >
          <div class="preview">
            {view.face?.previewUrl ? (
              <img src={view.face.previewUrl} alt={t('face.preview.alt')} data-testid="face-preview" />
            ) : (
              <Progress text={t('face.preview.loading')} />
            )}
          </div>
          {step === 'capturing' && <Progress text={t('face.capturing')} testid="face-checking" />}
        </Screen>
      );
    case 'matched':
      return (
        <Screen
          name="face"
          step={step}
          icon="check"
          tone="good"
          title={t('face.matched')}
          actions={<ContinueAction send={send} />}
        />
      );
    case 'mismatch':
      return (
        <ProblemScreen
          name="face"
          step={step}
          title={t('face.mismatch')}
          send={send}
          retry={(view.face?.attemptsLeft ?? 0) > 0}
          wayOut={decline}
        >
          <p>{t('face.mismatch.hint', { n: view.face?.attemptsLeft ?? 0 })}</p>
        </ProblemScreen>
      );
    case 'failed':
      return (
        <ProblemScreen name="face" step={step} title={t('face.failed')} send={send} retry wayOut={decline}>
          <p>{t('face.failed.hint')}</p>
        </ProblemScreen>
      );
    case 'declined':
      return (
        <Screen
          name="face"
          step={step}
          icon="person"
          title={t('face.declined')}
          actions={
            optional ? (
              <>
                <ContinueAction send={send} />
                {home}
              </>
            ) : (
              home
            )
          }
        >
          <p>{optional ? t('face.declined.optional') : t('face.declined.required', { hotline })}</p>
          {!optional && <p>{view.prefs.lang === 'en' ? view.contact.hoursEn : view.contact.hoursZh}</p>}
        </Screen>
      );
    default:
      return (
        <Screen
          name="face"
          step="consent"
          icon="person"
          title={t('face.consent')}
          actions={
            <>
              <Action testid="face-agree" onClick={() => send('Session.FaceConsent', { agree: true })}>
                {t('face.agree')}
              </Action>
              {decline}
            </>
          }
        >
          <p>{t('face.consent.body')}</p>
          <p>{optional ? t('face.consent.alt.optional') : t('face.consent.alt.required')}</p>
        </Screen>
      );
  }
}
