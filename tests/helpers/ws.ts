import WebSocket from 'ws';

export interface Msg {
  header: {
    name: string;
    requestId: number;
    type: string;
    completionCode?: string;
    errorDescription?: string;
    status?: string;
  };
  payload: Record<string, unknown>;
}

/** A raw test client for the agent's WebSocket that records every message it receives. */
export class TestSocket {
  readonly messages: Msg[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()) as Msg);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  static open(agentUrl: string, token: string, origin = agentUrl): Promise<TestSocket> {
    const ws = new WebSocket(`${agentUrl.replace('http', 'ws')}/xfs4iot/v1.0?token=${encodeURIComponent(token)}`, {
      origin,
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestSocket(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  async next(pred: (m: Msg) => boolean, ms = 5000): Promise<Msg> {
    const end = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(pred);
      if (found) return found;
      if (Date.now() > end) throw new Error('expected message did not arrive');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** Sends a command and resolves with its completion. */
  async command(
    name: string,
    payload: unknown = {},
    requestId = Math.floor(Math.random() * 1e9) + 1,
    timeout?: number,
  ): Promise<Msg> {
    this.send({ header: { name, requestId, type: 'command', ...(timeout ? { timeout } : {}) }, payload });
    return this.next((m) => m.header.requestId === requestId && m.header.type === 'completion');
  }

  close(): void {
    this.ws.close();
  }
}
