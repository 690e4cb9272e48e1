import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../i18n';

/** Date and time in the citizen's language; updates every second. */
export function Clock({ lang }: { lang: Lang }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const date = now.toLocaleDateString(lang, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });
  const time = now.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', hour12: false });
  return (
    <div class="clock" data-testid="clock">
      <time class="clock-time" dateTime={now.toISOString()}>
        {time}
      </time>
      <span class="clock-date">{date}</span>
    </div>
  );
}
