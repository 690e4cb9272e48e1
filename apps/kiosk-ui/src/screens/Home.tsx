import { serviceIds, type ServiceId } from '@kiosk/contracts/session-view';
import { useT, type MessageKey } from '../i18n';
import { Icon } from '../components/Icon';
import type { ScreenProps } from './types';

export const tileText: Record<ServiceId, { title: MessageKey; desc: MessageKey }> = {
  property: { title: 'service.property', desc: 'service.property.desc' },
  gas: { title: 'service.gas', desc: 'service.gas.desc' },
  tax: { title: 'service.tax', desc: 'service.tax.desc' },
  social: { title: 'service.social', desc: 'service.social.desc' },
  licence: { title: 'service.licence', desc: 'service.licence.desc' },
  photo: { title: 'service.photo', desc: 'service.photo.desc' },
};

export function Home({ view, send }: ScreenProps) {
  const t = useT();
  const a = view.availability;
  return (
    <main class="home" data-testid="screen-home">
      {a.notices.length > 0 && (
        <div class="notices" role="status" data-testid="notices">
          {a.notices.map((n) => (
            <p class="notice-line" key={n} data-testid={`notice-${n}`}>
              <Icon name="alert" size="1em" /> {t(`notice.${n}`)}
            </p>
          ))}
        </div>
      )}
      <h1 class="prompt">{t('home.prompt')}</h1>
      {view.identity && (
        <p class="identified" data-testid="identified">
          <Icon name="card" size="1em" /> {t('home.identified', { name: view.identity.name })}
        </p>
      )}
      <div class="tiles">
        {serviceIds.map((id) => {
          const s = a.services[id];
          return (
            <button
              type="button"
              key={id}
              class={`tile ${s.available ? '' : 'tile-paused'}`}
              data-testid={`tile-${id}`}
              aria-disabled={!s.available}
              onClick={() => s.available && send('Session.SelectService', { service: id })}
            >
              <span class="tile-icon">
                <Icon name={id} size="1.6em" />
              </span>
              <span class="tile-title">{t(tileText[id].title)}</span>
              {s.available ? (
                <span class="tile-desc">{t(tileText[id].desc)}</span>
              ) : (
                <span class="tile-desc tile-reason" data-testid={`tile-${id}-reason`}>
                  <strong>{t('tile.paused')}</strong>
                  {s.reasons.map((r) => (
                    <span key={r}>{t(`reason.${r}`)}</span>
                  ))}
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div class="actions">
        <button type="button" data-testid="home-exit" onClick={() => send('Session.Back')}>
          <Icon name="exit" size="1em" />
          {t('home.exit')}
        </button>
      </div>
    </main>
  );
}
