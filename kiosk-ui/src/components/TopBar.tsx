import { usePrefs, useT } from '../i18n';
import { Clock } from './Clock';
import { Icon } from './Icon';

export interface TopBarProps {
  onToggleLang(): void;
  onToggleElder(): void;
  onToggleVoice(): void;
}

/** Title, clock and the switches every screen carries (language, 长辈版, and voice in elder mode). */
export function TopBar({ onToggleLang, onToggleElder, onToggleVoice }: TopBarProps) {
  const prefs = usePrefs();
  const t = useT();
  return (
    <header class="topbar">
      <div class="brand">
        <p class="brand-title">{t('app.title')}</p>
        <p class="subtitle">{t('app.subtitle')}</p>
      </div>
      <Clock lang={prefs.lang} />
      <div class="switches">
        <button type="button" class="switch" data-testid="lang-switch" lang={prefs.lang === 'zh-CN' ? 'en' : 'zh-CN'} onClick={onToggleLang}>
          <Icon name="language" size="1.2em" />
          {t('lang.switch')}
        </button>
        <button
          type="button"
          class="switch"
          data-testid="elder-switch"
          aria-pressed={prefs.elder}
          onClick={onToggleElder}
        >
          <Icon name="elder" size="1.2em" />
          {prefs.elder ? t('elder.off') : t('elder.on')}
        </button>
        {prefs.elder && (
          <button
            type="button"
            class="switch"
            data-testid="voice-switch"
            aria-pressed={prefs.voice}
            onClick={onToggleVoice}
          >
            <Icon name={prefs.voice ? 'speaker' : 'speakerOff'} size="1.2em" />
            {prefs.voice ? t('voice.on') : t('voice.off')}
          </button>
        )}
      </div>
    </header>
  );
}
