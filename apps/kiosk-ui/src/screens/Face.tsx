import { useT } from '../i18n';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
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
  const home = (
    <Action testid="back-home" icon="home" onClick={() => send('Session.Home')}>
      {t('common.back')}
    </Action>
  );
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
          actions={
            <Action testid="continue" primary onClick={() => send('Session.Continue')}>
              {t('common.continue')}
            </Action>
          }
        />
      );
    case 'mismatch':
      return (
        <Screen
          name="face"
          step={step}
          icon="alert"
          tone="bad"
          title={t('face.mismatch')}
          actions={
            <>
              {(view.face?.attemptsLeft ?? 0) > 0 && (
                <Action testid="retry" primary onClick={() => send('Session.Retry')}>
                  {t('common.retry')}
                </Action>
              )}
              {decline}
            </>
          }
        >
          <p>{t('face.mismatch.hint', { n: view.face?.attemptsLeft ?? 0 })}</p>
        </Screen>
      );
    case 'failed':
      return (
        <Screen
          name="face"
          step={step}
          icon="alert"
          tone="bad"
          title={t('face.failed')}
          actions={
            <>
              <Action testid="retry" primary onClick={() => send('Session.Retry')}>
                {t('common.retry')}
              </Action>
              {decline}
            </>
          }
        >
          <p>{t('face.failed.hint')}</p>
        </Screen>
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
                <Action testid="continue" primary onClick={() => send('Session.Continue')}>
                  {t('common.continue')}
                </Action>
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
