import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, type User } from './api.js';
import { AlertsView, NotSeenView } from './alerts.js';
import { ErrorLine, SessionContext, type Session } from './common.js';
import { FleetView } from './fleet.js';
import { SiteView } from './history.js';
import { KioskView } from './kiosk.js';
import { RatingsView } from './ratings.js';

type Route =
  | { view: 'fleet' }
  | { view: 'kiosk'; id: string }
  | { view: 'site'; site: string }
  | { view: 'alerts' }
  | { view: 'not-seen' }
  | { view: 'ratings' };

function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const m = /^\/kiosk\/(.+)$/.exec(path);
  if (m) return { view: 'kiosk', id: decodeURIComponent(m[1]!) };
  const site = /^\/site\/(.+)$/.exec(path);
  if (site) return { view: 'site', site: decodeURIComponent(site[1]!) };
  if (path === '/alerts') return { view: 'alerts' };
  if (path === '/not-seen') return { view: 'not-seen' };
  if (path === '/ratings') return { view: 'ratings' };
  return { view: 'fleet' };
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = (): void => {
      setHash(location.hash);
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return useMemo(() => parseRoute(hash), [hash]);
}

/** A required text field of the login form with its visible label. */
function LoginField(props: {
  label: string;
  name: string;
  type?: 'password';
  autoComplete: string;
  value: string;
  onValue(v: string): void;
}) {
  return (
    <label class="field">
      {props.label}
      <input
        name={props.name}
        type={props.type}
        autoComplete={props.autoComplete}
        value={props.value}
        onInput={(e) => props.onValue((e.target as HTMLInputElement).value)}
        required
      />
    </label>
  );
}

function Login({ onLogin }: { onLogin(u: User): void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            onLogin((await api.login(username.trim(), password)).user);
          } catch (err) {
            setError(err instanceof ApiError ? err.message : '无法连接监控中心 Cannot reach central');
          } finally {
            setBusy(false);
          }
        }}
      >
        <h1>自助终端运维监控台</h1>
        <p class="muted">Kiosk fleet monitor — 请登录 Please log in</p>
        <LoginField label="用户名 Username" name="username" autoComplete="username" value={username} onValue={setUsername} />
        <LoginField
          label="密码 Password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onValue={setPassword}
        />
        <ErrorLine error={error} />
        <button type="submit" class="primary" disabled={busy}>
          登录 Log in
        </button>
      </form>
    </main>
  );
}

export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    api.me().then(
      (r) => setUser(r.user),
      () => setUser(null),
    );
  }, []);

  if (user === undefined) return <p class="loading">加载中… Loading…</p>;
  if (user === null) return <Login onLogin={setUser} />;

  const session: Session = { user, expired: () => setUser(null) };
  const tab = (view: Route['view'], href: string, label: string) => (
    <a
      href={href}
      class={
        route.view === view || (view === 'fleet' && (route.view === 'kiosk' || route.view === 'site')) ? 'tab active' : 'tab'
      }
      aria-current={route.view === view ? 'page' : undefined}
    >
      {label}
    </a>
  );

  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <div class="brand">
          自助终端运维监控台 <span class="muted">Kiosk fleet monitor</span>
        </div>
        <nav>
          {tab('fleet', '#/', '终端 Fleet')}
          {tab('alerts', '#/alerts', '告警 Alerts')}
          {tab('not-seen', '#/not-seen', '长期未上线 Not seen')}
          {tab('ratings', '#/ratings', '好差评 Ratings')}
        </nav>
        <div class="who">
          <span>
            {user.username} · {user.role === 'operator' ? '运维 Operator' : '只读 Viewer'}
          </span>
          <button
            type="button"
            class="small secondary"
            onClick={async () => {
              await api.logout().catch(() => undefined);
              setUser(null);
            }}
          >
            退出 Log out
          </button>
        </div>
      </header>
      <main>
        {route.view === 'fleet' ? <FleetView /> : null}
        {route.view === 'kiosk' ? <KioskView id={route.id} /> : null}
        {route.view === 'site' ? <SiteView site={route.site} /> : null}
        {route.view === 'alerts' ? <AlertsView /> : null}
        {route.view === 'not-seen' ? <NotSeenView /> : null}
        {route.view === 'ratings' ? <RatingsView /> : null}
      </main>
    </SessionContext.Provider>
  );
}
