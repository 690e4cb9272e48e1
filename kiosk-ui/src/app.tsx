import { useEffect, useMemo, useState } from 'preact/hooks';
import { PrefsContext, useT, type Lang, type UiPrefs } from './i18n';
import { TopBar } from './components/TopBar';
import { Home, tiles, type ServiceId } from './screens/Home';
import { ComingSoon } from './screens/ComingSoon';
import type { AgentClient, ConnectionState } from './api/client';

type Screen = { name: 'home' } | { name: 'service'; id: ServiceId };

export function App({ client }: { client: AgentClient }) {
  const [prefs, setPrefs] = useState<UiPrefs>({ lang: 'zh-CN', elder: false });
  const [screen, setScreen] = useState<Screen>({ name: 'home' });
  const [conn, setConn] = useState<ConnectionState>(client.state);

  useEffect(() => client.onState(setConn), [client]);
  useEffect(() => {
    document.documentElement.lang = prefs.lang;
    document.documentElement.classList.toggle('elder', prefs.elder);
  }, [prefs]);

  const toggleLang = (): void => setPrefs((p) => ({ ...p, lang: (p.lang === 'zh-CN' ? 'en' : 'zh-CN') as Lang }));
  const toggleElder = (): void => setPrefs((p) => ({ ...p, elder: !p.elder }));
  const value = useMemo(() => prefs, [prefs]);

  return (
    <PrefsContext.Provider value={value}>
      <div class={`kiosk ${prefs.elder ? 'elder' : ''}`}>
        <TopBar onToggleLang={toggleLang} onToggleElder={toggleElder} />
        {conn !== 'open' && <ConnectionBanner />}
        {screen.name === 'home' ? (
          <Home onOpen={(id) => setScreen({ name: 'service', id })} />
        ) : (
          <ComingSoon
            title={tiles.find((t) => t.id === screen.id)?.title ?? 'soon.title'}
            onBack={() => setScreen({ name: 'home' })}
          />
        )}
        <Footer />
      </div>
    </PrefsContext.Provider>
  );
}

function ConnectionBanner() {
  const t = useT();
  return (
    <p class="banner" role="status" data-testid="conn-banner">
      {t('conn.lost')}
    </p>
  );
}

function Footer() {
  const t = useT();
  return <footer class="footer">{t('footer.hotline')}</footer>;
}
