import type { AgentClient, Completion } from './client';
import type { SessionView } from '@kiosk/contracts/session-view';
import { sessionStateEvent } from '@kiosk/contracts/session-view';

export type { SessionView };

/**
 * The UI's copy of the agent's session view: the newest one wins (by seq). The agent owns the
 * state; this only mirrors it and sends the citizen's taps as `Session.*` commands.
 */
export class SessionStore {
  view: SessionView | null = null;
  /** When the current view arrived (performance.now()), for local countdowns. */
  receivedAt = 0;
  /** Commands in flight, for the "working…" indicator. */
  pending = 0;
  /** The agent has no session module (an old agent): the UI shows the connection banner. */
  unsupported = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly client: AgentClient) {
    client.on<SessionView>(sessionStateEvent, (v) => this.accept(v));
    client.onState((s) => {
      if (s === 'open') void this.refresh();
    });
    if (client.state === 'open') void this.refresh();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    this.listeners.forEach((fn) => fn());
  }

  accept(v: SessionView): void {
    if (this.view && v.seq < this.view.seq) return;
    this.view = v;
    this.receivedAt = performance.now();
    this.notify();
  }

  async refresh(): Promise<void> {
    const c = await this.client.command<SessionView>('Session.GetState');
    if (c.completionCode === 'success') this.accept(c.payload);
    else if (c.completionCode === 'unsupportedCommand') {
      this.unsupported = true;
      this.notify();
    }
  }

  /** Sends a citizen's action; the completion carries the new view. */
  async send(name: string, payload: Record<string, unknown> = {}): Promise<Completion<SessionView>> {
    this.pending += 1;
    this.notify();
    try {
      const c = await this.client.command<SessionView>(name, payload);
      if (c.completionCode === 'success' && c.payload && typeof c.payload === 'object' && 'screen' in c.payload) {
        this.accept(c.payload);
      } else if (c.completionCode === 'sequenceError') {
        // The screen moved on (timeout, another tap): show what the agent has now.
        await this.refresh();
      }
      return c;
    } finally {
      this.pending -= 1;
      this.notify();
    }
  }
}
