import { useEffect, useState } from 'preact/hooks';
import type { CountdownView } from '@kiosk/contracts/session-view';
import { useT } from '../i18n';
import { Icon } from './Icon';

/** Seconds left from the agent's view, counted down locally between views. */
export function useSecondsLeft(cd: CountdownView | null, receivedAt: number): number | null {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!cd || cd.paused) return;
    const id = window.setInterval(() => setNow(performance.now()), 250);
    return () => window.clearInterval(id);
  }, [cd, receivedAt]);
  if (!cd) return null;
  if (cd.paused) return Math.ceil(cd.remainingMs / 1000);
  const left = cd.remainingMs - Math.max(0, now - receivedAt);
  return Math.max(0, Math.ceil(left / 1000));
}

/** The countdown every session screen shows: words and a bar (the agent's timer is the truth). */
export function Countdown({ cd, seconds }: { cd: CountdownView; seconds: number }) {
  const t = useT();
  const fraction = cd.paused ? 1 : Math.min(1, (seconds * 1000) / cd.totalMs);
  return (
    <div class={`countdown ${cd.warning ? 'countdown-warning' : ''}`} data-testid="countdown" data-seconds={seconds}>
      <Icon name={cd.paused ? 'pause' : 'alert'} size="1em" />
      <span class="countdown-text">{cd.paused ? t('countdown.paused') : t('countdown.label', { s: seconds })}</span>
      <span class="countdown-bar" aria-hidden="true">
        <span class="countdown-fill" style={{ width: `${Math.round(fraction * 100)}%` }} />
      </span>
    </div>
  );
}
