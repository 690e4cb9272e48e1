import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../i18n';
import { CHINA_TIME_ZONE } from '@kiosk/platform/china-time';

/**
 * The kiosk's time is China time (UTC+8, no daylight saving), whatever zone the browser or the
 * container runs in: the same clock the slips print (chinaTime in apps/agent/src/receipts/slips).
 */
export const kioskTimeZone = CHINA_TIME_ZONE;

/** Formatters are costly to build (ICU data); build each once, not every second. */
const formatters = new Map<Lang, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();
function formatterFor(lang: Lang) {
  let f = formatters.get(lang);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat(lang, {
        year: 'numeric',
        month: 'long',
        day: 'numeric',
        weekday: 'long',
        timeZone: kioskTimeZone,
      }),
      time: new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: kioskTimeZone }),
    };
    formatters.set(lang, f);
  }
  return f;
}

/** Date and time in the citizen's language; updates every second. */
export function Clock({ lang }: { lang: Lang }) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(id);
  }, []);
  const f = formatterFor(lang);
  return (
    <div class="clock" data-testid="clock">
      <time class="clock-time" dateTime={now.toISOString()}>
        {f.time.format(now)}
      </time>
      <span class="clock-date">{f.date.format(now)}</span>
    </div>
  );
}
