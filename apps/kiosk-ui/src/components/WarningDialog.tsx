import { useEffect, useRef } from 'preact/hooks';
import { useT } from '../i18n';
import { Icon } from './Icon';

/**
 * WCAG 2.2.1: warned at least 20 s before the end, one big action to continue, usable again and
 * again. The button sits bottom-centre, as the elder-friendly rules ask of pop-ups.
 */
export function WarningDialog({ seconds, onContinue }: { seconds: number; onContinue(): void }) {
  const t = useT();
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);
  return (
    <div class="overlay" data-testid="timeout-warning">
      <div class="dialog" role="alertdialog" aria-modal="true" aria-labelledby="warning-title" aria-describedby="warning-body">
        <h2 id="warning-title">
          <Icon name="alert" size="1em" /> {t('warning.title')}
        </h2>
        <p id="warning-body">{t('warning.body', { s: seconds })}</p>
        <button ref={button} type="button" class="primary huge" data-testid="extend" onClick={onContinue}>
          {t('warning.continue')}
        </button>
      </div>
    </div>
  );
}
