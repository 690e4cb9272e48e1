import { usePrefs, useT } from '../i18n';
import { Clock } from './Clock';
import { Icon } from './Icon';
import { useVoiceStatus } from '../voice';

export interface TopBarProps {
  onToggleLang(): void;
  onToggleElder(): void;
  onToggleVoice(): void;
}

/** Title, clock and the switches every screen carries (language, 长辈版, and voice in elder mode). */
export function TopBar({ onToggleLang, onToggleElder, onToggleVoice }: TopBarProps) {
  const prefs = usePrefs();
  const t = useT();
  const voice = useVoiceStatus();
  return (
    <header class="topbar">
      <div class="brand">
        <p class="brand-title">{t('app.title')}</p>
        <p class="subtitle">{t('app.subtitle')}</p>
      </div>
      <Clock lang={prefs.lang} />
      <div class="switches">
        <button
          type="button"
          class="switch"
          data-testid="lang-switch"
          lang={prefs.lang === 'zh-CN' ? 'en' : 'zh-CN'}
          onClick={onToggleLang}
        >
          <Icon name="language" size="1.2em" />
          {t('lang.switch')}
        </button>
        <button type="button" class="switch" data-testid="elder-switch" aria-pressed={prefs.elder} onClick={onToggleElder}>
          <Icon name="elder" size="1.2em" />
          {/* A toggle keeps its name; aria-pressed and the pressed look say whether 长辈版 is on. */}
          {t('elder.on')}
        </button>
        {prefs.elder && voice !== 'unavailable' && (
          <button
            type="button"
            class="switch"
            data-testid="voice-switch"
            data-voice={voice}
            aria-pressed={prefs.voice}
            onClick={onToggleVoice}
          >
            <Icon name={prefs.voice ? 'speaker' : 'speakerOff'} size="1.2em" />
            {prefs.voice ? t('voice.on') : t('voice.off')}
          </button>
        )}
        {/* Nothing can speak on this kiosk: say so instead of a switch that claims 语音开. */}
        {prefs.elder && voice === 'unavailable' && (
          <span class="switch switch-off" role="status" data-testid="voice-unavailable">
            <Icon name="speakerOff" size="1.2em" />
            {t('voice.unavailable')}
          </span>
        )}
      </div>
    </header>
  );
}
