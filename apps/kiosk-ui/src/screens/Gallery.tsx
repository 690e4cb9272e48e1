import { useState } from 'preact/hooks';
import { useT } from '../i18n';
import { Field, NumericKeypad, SimpleKeyboard } from '../components/Keypad';

/**
 * The input components on their own (`#gallery`), for the service teams and for the browser test
 * that checks a field is never covered by its keys. Not reachable from any citizen screen.
 */
export function Gallery() {
  const t = useT();
  const [digits, setDigits] = useState('');
  const [text, setText] = useState('');
  const [which, setWhich] = useState<'keypad' | 'keyboard'>('keypad');
  return (
    <main class="screen gallery" data-testid="screen-gallery">
      <h1 class="screen-title">{t('gallery.title')}</h1>
      <div class="actions">
        <button type="button" data-testid="show-keypad" aria-pressed={which === 'keypad'} onClick={() => setWhich('keypad')}>
          {t('keypad.label')}
        </button>
        <button
          type="button"
          data-testid="show-keyboard"
          aria-pressed={which === 'keyboard'}
          onClick={() => setWhich('keyboard')}
        >
          {t('keyboard.label')}
        </button>
      </div>
      {which === 'keypad' ? (
        <div class="input-panel">
          <Field label={t('gallery.account')} value={digits} testid="field-digits" />
          <NumericKeypad value={digits} onChange={setDigits} maxLength={12} />
        </div>
      ) : (
        <div class="input-panel">
          <Field label={t('gallery.text')} value={text} testid="field-text" />
          <SimpleKeyboard value={text} onChange={setText} />
        </div>
      )}
    </main>
  );
}
