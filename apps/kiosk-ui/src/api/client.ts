/**
 * Typed client for the agent's WebSocket (XFS4IoT-style envelope). The UI is a view over the
 * agent's state: it sends commands and renders what comes back; it keeps no personal data.
 */
type CompletionCode =
  | 'success'
  | 'canceled'
  | 'deviceNotReady'
  | 'hardwareError'
  | 'internalError'
  | 'invalidCommand'
  | 'invalidData'
  | 'timeOut'
  | 'unsupportedCommand'
  | 'userError'
  | 'sequenceError'
  | 'authorisationRequired';

interface Header {
  name: string;
  requestId: number;
  type: 'command' | 'acknowledge' | 'event' | 'completion' | 'unsolicited';
  timeout?: number;
  completionCode?: CompletionCode;
  errorDescription?: string;
  status?: 'invalidMessage' | 'invalidRequestID' | 'tooManyRequests';
}

export interface Completion<P = unknown> {
  completionCode: CompletionCode;
  payload: P;
  errorDescription?: string;
}

interface Pending {
  resolve(c: Completion): void;
  onEvent?: (name: string, payload: unknown) => void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

export class AgentClient {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private retryMs = 250;
  private closedByUs = false;
  state: ConnectionState = 'connecting';

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  connect(): void {
    this.closedByUs = false;
    this.setState('connecting');
    const ws = new WebSocket(`${this.url}?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 250;
      this.setState('open');
    };
    ws.onmessage = (ev) => this.receive(String(ev.data));
    ws.onclose = () => {
      this.ws = undefined;
      for (const p of this.pending.values()) {
        p.resolve({ completionCode: 'canceled', payload: {}, errorDescription: 'connection to the agent lost' });
      }
      this.pending.clear();
      this.setState('closed');
      if (this.closedByUs) return;
      // The agent may have restarted with a new token: after a few failures reload the page,
      // which fetches the new token; until then retry with backoff.
      // Reload only once the agent answers again, so the kiosk never lands on a browser error page.
      this.retryMs = Math.min(this.retryMs * 2, 5000);
      window.setTimeout(() => {
        if (this.retryMs < 4000) return this.connect();
        fetch('/healthz', { cache: 'no-store' }).then(
          (r) => (r.ok ? window.location.reload() : this.connect()),
          () => this.connect(),
        );
      }, this.retryMs);
    };
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close();
  }

  onState(fn: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  /** Unsolicited broadcasts by name (e.g. Common.StatusChangedEvent). */
  on<P = unknown>(name: string, fn: (payload: P) => void): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(fn as (payload: unknown) => void);
    this.listeners.set(name, set);
    return () => set.delete(fn as (payload: unknown) => void);
  }

  command<P = unknown>(
    name: string,
    payload: Record<string, unknown> = {},
    opts: { timeout?: number; onEvent?: (name: string, payload: unknown) => void } = {},
  ): Promise<Completion<P>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ completionCode: 'deviceNotReady', payload: {} as P, errorDescription: 'not connected' });
    }
    const requestId = this.nextId++;
    const header: Header = { name, requestId, type: 'command' };
    if (opts.timeout) header.timeout = opts.timeout;
    return new Promise((resolve) => {
      this.pending.set(requestId, { resolve: resolve as (c: Completion) => void, onEvent: opts.onEvent });
      ws.send(JSON.stringify({ header, payload }));
    });
  }

  private receive(text: string): void {
    let msg: { header: Header; payload: unknown };
    try {
      msg = JSON.parse(text) as { header: Header; payload: unknown };
    } catch {
      return;
    }
    const { header, payload } = msg;
    if (header.type === 'unsolicited') {
      this.listeners.get(header.name)?.forEach((fn) => fn(payload));
      return;
    }
    const p = this.pending.get(header.requestId);
    if (!p) return;
    if (header.type === 'acknowledge' && header.status) {
      this.pending.delete(header.requestId);
      p.resolve({ completionCode: 'invalidCommand', payload, errorDescription: header.errorDescription });
    } else if (header.type === 'event') {
      p.onEvent?.(header.name, payload);
    } else if (header.type === 'completion') {
      this.pending.delete(header.requestId);
      p.resolve({ completionCode: header.completionCode ?? 'internalError', payload, errorDescription: header.errorDescription });
    }
  }

  private setState(s: ConnectionState): void {
    this.state = s;
    this.stateListeners.forEach((fn) => fn(s));
  }
}

/** The client for the page the agent served (token from the injected meta tag). */
export function clientFromPage(): AgentClient {
  const token = document.querySelector('meta[name="kiosk-token"]')?.getAttribute('content') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new AgentClient(`${scheme}://${location.host}/xfs4iot/v1.0`, token);
}
