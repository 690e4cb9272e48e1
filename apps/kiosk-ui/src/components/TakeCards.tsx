import { useEffect } from 'preact/hooks';
import type { CardKind } from '@kiosk/contracts/session-view';
import { chime } from '../chime';
import { useT, usePrefs } from '../i18n';
import { speak } from '../voice';
import { Icon } from './Icon';

/** How often the reminder sounds again while the card stays in the reader. */
const REPEAT_MS = 6000;

/**
 * "请取走燃气卡 / 请取走身份证": shown (and sounded, with a chime and the voice when there is one,
 * whatever the voice switch says: this is an alarm, not guidance) while the agent reports a card
 * the citizen must take (SessionView.takeCards). It sits in the page flow above the screen, so it
 * never covers a control.
 */
export function TakeCards({ cards }: { cards: CardKind[] }) {
  const t = useT();
  const { lang } = usePrefs();
  const text = cards.map((k) => t(`takeCards.${k}`)).join(lang === 'en' ? '. ' : '，');
  useEffect(() => {
    if (cards.length === 0) return;
    const remind = (): void => {
      void chime();
      speak(text, lang);
    };
    remind();
    const id = window.setInterval(remind, REPEAT_MS);
    return () => window.clearInterval(id);
  }, [text, lang]);
  if (cards.length === 0) return null;
  return (
    <div class="take-cards" role="alert" data-testid="take-cards" data-cards={cards.join(' ')}>
      <Icon name="card" size="1.2em" />
      <p>
        <strong>{text}</strong>
        <span class="take-cards-hint">{t('takeCards.hint')}</span>
      </p>
    </div>
  );
}
