import { useContext } from 'preact/hooks';
import { PrefsContext, useT } from '../i18n';
import { Clock } from './Clock';
import { Icon } from './Icon';

export interface TopBarProps {
  onToggleLang(): void;
  onToggleElder(): void;
}

/** Title, clock and the two switches every screen carries. */
export function TopBar({ onToggleLang, onToggleElder }: TopBarProps) {
  const prefs = useContext(PrefsContext);
  const t = useT();
  return (
    <header class="topbar">
      <div class="brand">
        <h1>{t('app.title')}</h1>
        <p class="subtitle">{t('app.subtitle')}</p>
      </div>
      <Clock lang={prefs.lang} />
      <div class="switches">
        <button type="button" class="switch" data-testid="lang-switch" aria-label={t('lang.switch.label')} onClick={onToggleLang}>
          <Icon name="language" size="1.2em" />
          {t('lang.switch')}
        </button>
        <button
          type="button"
          class="switch"
          data-testid="elder-switch"
          aria-pressed={prefs.elder}
          aria-label={t('elder.label')}
          onClick={onToggleElder}
        >
          <Icon name="elder" size="1.2em" />
          {prefs.elder ? t('elder.off') : t('elder.on')}
        </button>
      </div>
    </header>
  );
}
