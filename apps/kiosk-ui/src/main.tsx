import { render } from 'preact';
import { App } from './app';
import { clientFromPage } from './api/client';
import { SessionStore } from './api/session';
import './styles.css';

const client = clientFromPage();
const store = new SessionStore(client);
client.connect();

/**
 * The first render waits for the agent's view (or 1.5 s at most): on a slow kiosk CPU, rendering a
 * "connecting" screen first would delay the WebSocket's open event and so the real screen. Until
 * then index.html shows a static "connecting" line.
 */
let mounted = false;
const mount = (): void => {
  if (mounted) return;
  mounted = true;
  off();
  const root = document.getElementById('app')!;
  root.textContent = '';
  render(<App client={client} store={store} />, root);
};
const off = store.subscribe(() => {
  if (store.view || store.unsupported) mount();
});
window.setTimeout(mount, 1500);

/** Liveness for central (a dead screen means a dead kiosk): the agent reports missed pings. */
const ping = (): void => {
  if (client.state === 'open') void client.command('Kiosk.Ping');
};
client.onState((s) => {
  if (s === 'open') ping();
});
window.setInterval(ping, 15_000);
/** No context menu on a long press or right click: a kiosk has nothing to copy, inspect or save. */
window.addEventListener('contextmenu', (e) => e.preventDefault());
/** Operations' "restart UI" remote command. */
client.on('Kiosk.RestartUiEvent', () => window.location.reload());
