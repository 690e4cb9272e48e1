import { usePrefs, useT } from '../i18n';
import { Icon } from '../components/Icon';
import { serviceIds } from '@kiosk/contracts/session-view';
import { tileText } from './Home';
import type { ScreenProps } from './types';

/**
 * Idle screen: the whole area is one big target. Placing an ID card starts a session too. It
 * names the services usable now and, apart, the paused ones, so nobody starts for a paused service.
 */
export function Attract({ view, send }: ScreenProps) {
  const t = useT();
  const { lang } = usePrefs();
  const sep = lang === 'en' ? ', ' : '、';
  const services = view.availability.services;
  const open = serviceIds.filter((id) => services[id]?.available !== false).map((id) => t(tileText[id].title));
  const paused = serviceIds.filter((id) => services[id]?.available === false).map((id) => t(tileText[id].title));
  return (
    <main class="attract" data-testid="screen-attract">
      <button type="button" class="attract-start" data-testid="attract-start" onClick={() => send('Session.Start')}>
        <span class="attract-icon">
          <Icon name="home" size="1em" />
        </span>
        <span class="attract-touch">{t('attract.touch')}</span>
        {open.length > 0 && (
          <span class="attract-hint" data-testid="attract-available">
            {t('attract.available', { list: open.join(sep) })}
          </span>
        )}
        {paused.length > 0 && (
          <span class="attract-hint attract-paused" data-testid="attract-paused">
            {t('attract.paused', { list: paused.join(sep) })}
          </span>
        )}
        <span class="attract-hint">
          <Icon name="card" size="1em" /> {t('attract.card')}
        </span>
      </button>
    </main>
  );
}
