import { useT, type MessageKey } from '../i18n';

/** Labelled placeholder until the service's own flow lands. */
export function ComingSoon({ title, onBack }: { title: MessageKey; onBack(): void }) {
  const t = useT();
  return (
    <main class="coming-soon" data-testid="coming-soon">
      <h2>{t(title)}</h2>
      <p class="notice">
        <strong>{t('soon.title')}</strong>
      </p>
      <p>{t('soon.body')}</p>
      <button type="button" class="primary" data-testid="back-home" onClick={onBack}>
        {t('common.back')}
      </button>
    </main>
  );
}
