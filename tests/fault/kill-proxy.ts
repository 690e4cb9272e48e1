/**
 * The agent child talks to the sandbox through this HTTP proxy, so the campaign can act at the
 * exact moment an upstream has applied a money step and the kiosk has not heard about it yet:
 * the sandbox's answer is held, the armed trigger SIGKILLs the agent, and the answer is dropped.
 * That is the dangerous window the crash campaign aims at (upstream applied, kiosk not journaled).

 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Upstream money steps, matched on the request the kiosk sends. */
export const upstreamWindows = {
  'iot-credit': { method: 'POST', path: /^\/gas\/v1\/iot\/credits$/ },
  'ic-purchase': { method: 'POST', path: /^\/gas\/v1\/ic\/purchases$/ },
  refund: { method: 'POST', path: /^\/payment\/v1\/refunds$/ },
  /** The gas company's void (冲正) that must precede a refund. */
  void: { method: 'POST', path: /^\/gas\/v1\/voids$/ },
} as const;
export type UpstreamWindow = keyof typeof upstreamWindows;

export interface ProxyHooks {
  /**
   * Called with the sandbox's answer before it is forwarded. Return true when the agent was
   * killed: the answer is then dropped (the socket is destroyed).
   */
  onApplied?: (window: UpstreamWindow, status: number) => boolean;
}

export interface KillProxy {
  url: string;
  hooks: ProxyHooks;
  close(): Promise<void>;
}

function windowOf(method: string, path: string): UpstreamWindow | undefined {
  for (const [name, w] of Object.entries(upstreamWindows))
    if (w.method === method && w.path.test(path)) return name as UpstreamWindow;
  return undefined;
}

export async function startKillProxy(targetUrl: string): Promise<KillProxy> {
  const target = new URL(targetUrl);
  const hooks: ProxyHooks = {};
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? url;
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) clientGone = true;
    });
    const upstream = await new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
      (resolve, reject) => {
        const out = request(
          { host: target.hostname, port: target.port, method, path: url, headers: { ...req.headers, host: target.host } },
          (r) => {
            const body: Buffer[] = [];
            r.on('data', (d: Buffer) => body.push(d));
            r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(body) }));
            r.on('error', reject);
          },
        );
        out.on('error', reject);
        out.end(Buffer.concat(chunks));
      },
    );
    const window = windowOf(method, path);
    // Only while the kiosk is still waiting for this answer: that is the window.
    if (window && !clientGone && upstream.status >= 200 && upstream.status < 300 && hooks.onApplied?.(window, upstream.status)) {
      res.destroy();
      return;
    }
    if (clientGone) return;
    const headers = { ...upstream.headers };
    delete headers['transfer-encoding'];
    delete headers.connection;
    res.writeHead(upstream.status, { ...headers, 'content-length': String(upstream.body.length) });
    res.end(upstream.body);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // The sandbox dropped the socket (a `timeout` fault): so does the proxy.
      res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
