import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';

/**
 * On-screen input for services that need typing (gas account numbers, amounts). The keys sit
 * below the field in the page flow, never over it, and the field is scrolled into view whenever
 * it changes, so the citizen always sees what they typed.
 */
/**
 * Typing is activity: the app turns this event into a (throttled) Session.Extend so a citizen
 * typing a long number is not interrupted by the countdown.
 */
export const activityEvent = 'kiosk-activity';
function activity(): void {
  document.dispatchEvent(new CustomEvent(activityEvent));
}

function useVisible(value: string) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.scrollIntoView({ block: 'nearest' }), [value]);
  return ref;
}

export function Field({ label, value, testid, masked }: { label: string; value: string; testid: string; masked?: boolean }) {
  const ref = useVisible(value);
  return (
    <div class="field" ref={ref} data-testid={testid}>
      <span class="field-label" id={`${testid}-label`}>
        {label}
      </span>
      <output class="field-value" aria-labelledby={`${testid}-label`} aria-live="polite">
        {masked ? '•'.repeat(value.length) : value}
        <span class="caret" aria-hidden="true" />
      </output>
    </div>
  );
}

/** What the keys do to a field of at most `maxLength` characters; every press restarts the idle timer. */
function keyActions(value: string, onChange: (v: string) => void, maxLength: number) {
  return {
    type: (c: string): void => {
      activity();
      if (value.length < maxLength) onChange(value + c);
    },
    erase: (): void => {
      activity();
      onChange(value.slice(0, -1));
    },
    clear: (): void => {
      activity();
      onChange('');
    },
  };
}

/** What a keypad or keyboard types into: the field's value, its change handler, its longest value. */
interface KeysProps {
  value: string;
  onChange(v: string): void;
  maxLength?: number;
}

export function NumericKeypad({ value, onChange, maxLength = 20 }: KeysProps) {
  const t = useT();
  const key = keyActions(value, onChange, maxLength);
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
  return (
    <div class="keypad" role="group" aria-label={t('keypad.label')} data-testid="keypad">
      {digits.map((k) => (
        <button type="button" key={k} class="key" data-key={k} onClick={() => key.type(k)}>
          {k}
        </button>
      ))}
      <button type="button" class="key key-fn" data-key="clear" onClick={key.clear}>
        {t('keypad.clear')}
      </button>
      <button type="button" class="key" data-key="0" onClick={() => key.type('0')}>
        0
      </button>
      <button type="button" class="key key-fn" data-key="delete" onClick={key.erase}>
        {t('keypad.delete')}
      </button>
    </div>
  );
}

const letterRows = ['QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'];
const digitRows = ['1234567890', '-/:()@.,', '#*+'];

/** A simple keyboard: letters or digits and signs, space and delete (no gestures, one tap per key). */
export function SimpleKeyboard({ value, onChange, maxLength = 60 }: KeysProps) {
  const t = useT();
  const [mode, setMode] = useState<'letters' | 'digits'>('letters');
  const rows = mode === 'letters' ? letterRows : digitRows;
  const key = keyActions(value, onChange, maxLength);
  return (
    <div class="keyboard" role="group" aria-label={t('keyboard.label')} data-testid="keyboard">
      {rows.map((row) => (
        <div class="keyboard-row" key={row}>
          {Array.from(row).map((c) => (
            <button type="button" key={c} class="key" data-key={c} onClick={() => key.type(c)}>
              {c}
            </button>
          ))}
        </div>
      ))}
      <div class="keyboard-row">
        <button
          type="button"
          class="key key-fn"
          data-key="mode"
          onClick={() => setMode(mode === 'letters' ? 'digits' : 'letters')}
        >
          {mode === 'letters' ? t('keyboard.digits') : t('keyboard.letters')}
        </button>
        <button type="button" class="key key-space" data-key="space" onClick={() => key.type(' ')}>
          {t('keyboard.space')}
        </button>
        <button type="button" class="key key-fn" data-key="delete" onClick={key.erase}>
          {t('keypad.delete')}
        </button>
      </div>
    </div>
  );
}
