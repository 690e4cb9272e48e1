import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FunctionComponent } from 'preact';
import { PrefsContext, translate, type UiPrefs } from './i18n';
import { TopBar } from './components/TopBar';
import { Countdown, useSecondsLeft } from './components/Countdown';
import { WarningDialog } from './components/WarningDialog';
import { Progress } from './components/Progress';
import { Icon } from './components/Icon';
import type { AgentClient, ConnectionState } from './api/client';
import type { SessionStore, SessionView } from './api/session';
import type { ScreenName } from '@kiosk/contracts/session-view';
import { Attract } from './screens/Attract';
import { Home } from './screens/Home';
import { Identity } from './screens/Identity';
import { Face } from './screens/Face';
import { Service } from './screens/Service';
import { Goodbye, OutOfService, Printing, Rating, Result } from './screens/Outcome';
import { Gallery } from './screens/Gallery';
import type { ScreenProps } from './screens/types';
import { wipeBrowserStorage } from './privacy';
import { speak, stopSpeaking } from './voice';
import { speechFor } from './speech';
import { activityEvent } from './components/Keypad';
import { StaffLayer } from './staff/StaffLayer';
import { TakeCards } from './components/TakeCards';

const screens: Record<ScreenName, FunctionComponent<ScreenProps>> = {
  attract: Attract,
  outOfService: OutOfService,
  home: Home,
  identity: Identity,
  face: Face,
  service: Service,
  printing: Printing,
  result: Result,
  rating: Rating,
  goodbye: Goodbye,
};

const defaultPrefs: UiPrefs = { lang: 'zh-CN', elder: false, voice: true };

function useStore(store: SessionStore): { view: SessionView | null; pending: number; receivedAt: number; unsupported: boolean } {
  const [, force] = useState(0);
  useEffect(() => store.subscribe(() => force((n) => n + 1)), [store]);
  return { view: store.view, pending: store.pending, receivedAt: store.receivedAt, unsupported: store.unsupported };
}

/** True once `active` has lasted longer than `ms` (waits under 300 ms show nothing). */
function useLasting(active: boolean, ms: number): boolean {
  const [lasting, setLasting] = useState(false);
  useEffect(() => {
    if (!active) {
      setLasting(false);
      return;
    }
    const id = window.setTimeout(() => setLasting(true), ms);
    return () => window.clearTimeout(id);
  }, [active, ms]);
  return lasting;
}

export function App({ client, store }: { client: AgentClient; store: SessionStore }) {
  const { view, pending, receivedAt } = useStore(store);
  const [conn, setConn] = useState<ConnectionState>(client.state);
  // A tap on a switch shows at once; the agent's next view confirms it.
  const [localPrefs, setLocalPrefs] = useState<Partial<UiPrefs>>({});
  const [gallery, setGallery] = useState(() => location.hash === '#gallery');
  useEffect(() => client.onState(setConn), [client]);
  useEffect(() => {
    const on = () => setGallery(location.hash === '#gallery');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  useEffect(() => setLocalPrefs({}), [view?.seq]);

  const prefs: UiPrefs = useMemo(() => ({ ...defaultPrefs, ...view?.prefs, ...localPrefs }), [view?.prefs, localPrefs]);
  useEffect(() => {
    document.documentElement.lang = prefs.lang;
    document.documentElement.classList.toggle('elder', prefs.elder);
  }, [prefs.lang, prefs.elder]);

  // A session ended (or the page loaded without one): nothing of the citizen stays in the browser.
  const sessionId = view?.sessionId ?? null;
  const lastSession = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (lastSession.current !== undefined && lastSession.current !== null && lastSession.current !== sessionId) stopSpeaking();
    if (sessionId === null || (lastSession.current && lastSession.current !== sessionId)) void wipeBrowserStorage();
    lastSession.current = sessionId;
  }, [sessionId]);

  // Voice guidance in elder mode: the screen's instruction, once per screen, step and flow step.
  const t = (key: string, params?: Record<string, string | number>) => translate(prefs.lang, key, params);
  const speechKey = view ? `${view.sessionId}|${view.screen}|${view.step}|${view.flow?.step ?? ''}|${prefs.lang}` : '';
  useEffect(() => {
    if (!view || !prefs.elder || !prefs.voice) return;
    speak(speechFor(view, t), prefs.lang);
  }, [speechKey, prefs.elder, prefs.voice]);
  useEffect(() => {
    if (!prefs.voice || !prefs.elder) stopSpeaking();
  }, [prefs.voice, prefs.elder]);

  const send = (name: string, payload?: Record<string, unknown>): void => {
    void store.send(name, payload);
  };
  const setPref = (p: Partial<UiPrefs>): void => {
    setLocalPrefs((cur) => ({ ...cur, ...p }));
    send('Session.SetPrefs', p);
  };

  // Typing on the keypad or keyboard keeps the countdown from running out (at most every 5 s).
  const lastExtend = useRef(0);
  useEffect(() => {
    const on = (): void => {
      const v = store.view;
      if (!v?.countdown || v.countdown.paused || performance.now() - lastExtend.current < 5000) return;
      lastExtend.current = performance.now();
      void store.send('Session.Extend');
    };
    document.addEventListener(activityEvent, on);
    return () => document.removeEventListener(activityEvent, on);
  }, [store]);

  const seconds = useSecondsLeft(view?.countdown ?? null, receivedAt);
  const working = useLasting(pending > 0, 300);
  const Current = view ? screens[view.screen] : null;

  return (
    <PrefsContext.Provider value={prefs}>
      <div class={`kiosk ${prefs.elder ? 'elder' : ''} screen-${view?.screen ?? 'none'}`}>
        <TopBar
          onToggleLang={() => setPref({ lang: prefs.lang === 'zh-CN' ? 'en' : 'zh-CN' })}
          onToggleElder={() => setPref({ elder: !prefs.elder })}
          onToggleVoice={() => setPref({ voice: !prefs.voice })}
        />
        {conn !== 'open' && (
          <p class="banner" role="status" data-testid="conn-banner">
            {t('conn.lost')}
          </p>
        )}
        <StaffLayer client={client} session={view} />
        {!gallery && <TakeCards cards={view?.takeCards ?? []} />}
        {gallery ? (
          <Gallery />
        ) : Current && view ? (
          <Current key={`${view.sessionId}|${view.screen}`} view={view} send={send} />
        ) : (
          <main class="screen" data-testid="screen-loading">
            <Progress text={t('conn.lost')} />
          </main>
        )}
        <footer class="footer">
          {view?.countdown && seconds !== null && <Countdown cd={view.countdown} seconds={seconds} />}
          <span class="footer-hotline">
            <Icon name="phone" size="1em" /> {t('footer.hotline')}
          </span>
        </footer>
        {working && (
          <div class="working" data-testid="working">
            <Progress text={t('common.working')} />
          </div>
        )}
        {view?.countdown?.warning && seconds !== null && !gallery && (
          <WarningDialog seconds={seconds} onContinue={() => send('Session.Extend')} />
        )}
      </div>
    </PrefsContext.Provider>
  );
}
