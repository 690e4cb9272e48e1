import { useT } from '../i18n';
import { Icon } from '../components/Icon';
import type { ScreenProps } from './types';

/** Idle screen: the whole area is one big target. Placing an ID card starts a session too. */
export function Attract({ send }: ScreenProps) {
  const t = useT();
  return (
    <main class="attract" data-testid="screen-attract">
      <button type="button" class="attract-start" data-testid="attract-start" onClick={() => send('Session.Start')}>
        <span class="attract-icon">
          <Icon name="home" size="1em" />
        </span>
        <span class="attract-touch">{t('attract.touch')}</span>
        <span class="attract-hint">{t('attract.hint')}</span>
        <span class="attract-hint">
          <Icon name="card" size="1em" /> {t('attract.card')}
        </span>
      </button>
    </main>
  );
}
