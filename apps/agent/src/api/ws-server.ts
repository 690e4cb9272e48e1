import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import type { Logger } from '@kiosk/platform';
import { hostAllowed } from './http.js';
import type { CommandDefinition, CommandResult } from './commands.js';
import { CommandError } from './commands.js';
import { commandMessageSchema, describeZodError, type AckStatus, type Header, type Message } from './envelope.js';

export const wsPath = '/xfs4iot/v1.0';
/** Frames above this are rejected unread: the UI never needs more. */
const maxMessageBytes = 64 * 1024;
const maxInFlightPerConnection = 32;

/**
 * XFS4IoT Common.Cancel: the listed requests, or every request on the connection when the list is
 * absent. Anything else (a string, null, non-integers) is refused: a typo must never cancel all.
 */
const cancelPayloadSchema = z
  .object({
    requestIds: z
      .array(
        z
          .number()
          .int()
          .positive()
          .max(2 ** 31 - 1),
      )
      .max(maxInFlightPerConnection * 2)
      .optional(),
  })
  .strict();

export interface WsApiOptions {
  server: Server;
  token: string;
  /** Origins allowed to connect: the agent's own. */
  allowedOrigins: readonly string[];
  /** Host names the agent answers to (see http.ts hostAllowed). */
  allowedHosts: readonly string[];
  commands: readonly CommandDefinition[];
  logger: Logger;
}

export interface WsApi {
  /** Sends an unsolicited message to every connection. */
  broadcast(name: string, payload: unknown): void;
  connectionCount(): number;
  close(): Promise<void>;
}

/**
 * The UI's single WebSocket: XFS4IoT-style command → acknowledge → events → one completion,
 * plus unsolicited broadcasts. Nothing a client sends can crash the agent: every frame is
 * parsed defensively and answered with a rejection or a completion carrying the reason.
 */
export function createWsApi(opts: WsApiOptions): WsApi {
  const byName = new Map(opts.commands.map((c) => [c.name, c]));
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const log = opts.logger;

  opts.server.on('upgrade', (req, socket, head) => {
    const reject = (code: number, reason: string): void => {
      log.warn({ reason, origin: req.headers.origin }, 'websocket rejected');
      socket.end(`HTTP/1.1 ${code} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://agent');
    if (!hostAllowed(req.headers.host, req.socket.localPort, opts.allowedHosts)) return reject(421, 'Misdirected Request');
    if (url.pathname !== wsPath) return reject(404, 'Not Found');
    const origin = req.headers.origin;
    if (!origin || !opts.allowedOrigins.includes(origin)) return reject(403, 'Forbidden Origin');
    if (url.searchParams.get('token') !== opts.token) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket, _req: IncomingMessage) => {
    const connectionId = randomUUID();
    const inFlight = new Map<number, AbortController>();
    const send = (msg: Message): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const reject = (requestId: number, name: string, status: AckStatus, why: string): void => {
      send({ header: { name, requestId, type: 'acknowledge', status, errorDescription: why }, payload: {} });
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return reject(0, '', 'invalidMessage', 'binary frames are not accepted; send JSON text');
      let raw: unknown;
      try {
        raw = JSON.parse(
          Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8'),
        );
      } catch {
        return reject(0, '', 'invalidMessage', 'message is not valid JSON');
      }
      const parsed = commandMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const h = (raw as { header?: { requestId?: unknown; name?: unknown } } | null)?.header;
        const id = typeof h?.requestId === 'number' && Number.isInteger(h.requestId) ? h.requestId : 0;
        const name = typeof h?.name === 'string' ? h.name.slice(0, 64) : '';
        return reject(id, name, 'invalidMessage', describeZodError(parsed.error));
      }
      const { header, payload } = parsed.data;
      if (inFlight.has(header.requestId)) {
        return reject(header.requestId, header.name, 'invalidRequestID', `requestId ${header.requestId} is already in progress`);
      }
      // A cancel is how the UI gets out of a full pipeline: it never counts against the limit and
      // never waits, so it is answered here, before the limit is checked.
      if (header.name === 'Common.Cancel') return cancel(header.requestId, payload);
      if (inFlight.size >= maxInFlightPerConnection) {
        return reject(header.requestId, header.name, 'tooManyRequests', `at most ${maxInFlightPerConnection} commands in flight`);
      }
      const controller = new AbortController();
      inFlight.set(header.requestId, controller);
      send({ header: { name: header.name, requestId: header.requestId, type: 'acknowledge' }, payload: {} });
      void run(header.name, header.requestId, header.timeout ?? 0, payload, controller).finally(() =>
        inFlight.delete(header.requestId),
      );
    });

    function cancel(requestId: number, payload: unknown): void {
      const name = 'Common.Cancel';
      send({ header: { name, requestId, type: 'acknowledge' }, payload: {} });
      const p = cancelPayloadSchema.safeParse(payload);
      const complete = (completionCode: 'success' | 'invalidData', errorDescription?: string): void =>
        send({
          header: { name, requestId, type: 'completion', completionCode, ...(errorDescription ? { errorDescription } : {}) },
          payload: {},
        });
      if (!p.success) return complete('invalidData', describeZodError(p.error));
      for (const id of p.data.requestIds ?? [...inFlight.keys()]) {
        inFlight.get(id)?.abort(new CommandError('canceled', 'canceled by Common.Cancel'));
      }
      complete('success');
    }

    async function run(
      name: string,
      requestId: number,
      timeout: number,
      payload: unknown,
      controller: AbortController,
    ): Promise<void> {
      const complete = (result: CommandResult): void => {
        const header: Header = { name, requestId, type: 'completion', completionCode: result.completionCode };
        if (result.errorDescription) header.errorDescription = result.errorDescription;
        send({ header, payload: result.payload ?? {} });
      };
      const def = byName.get(name);
      if (!def) return complete({ completionCode: 'unsupportedCommand', errorDescription: `unknown command ${name}` });
      const input = def.payload.safeParse(payload);
      if (!input.success) return complete({ completionCode: 'invalidData', errorDescription: describeZodError(input.error) });

      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<CommandResult>((resolve) => {
        if (timeout > 0) {
          timer = setTimeout(() => {
            controller.abort(new CommandError('timeOut', `no completion within ${timeout} ms`));
            resolve({ completionCode: 'timeOut', errorDescription: `no completion within ${timeout} ms` });
          }, timeout);
        }
      });
      const aborted = new Promise<CommandResult>((resolve) => {
        controller.signal.addEventListener('abort', () => {
          const r: unknown = controller.signal.reason;
          if (r instanceof CommandError) resolve({ completionCode: r.completionCode, errorDescription: r.message });
          else resolve({ completionCode: 'canceled', errorDescription: 'canceled' });
        });
      });
      const handled = def
        .handle(input.data, {
          event: (eventName, eventPayload) =>
            send({ header: { name: eventName, requestId, type: 'event' }, payload: eventPayload }),
          signal: controller.signal,
          connectionId,
        })
        .catch((err: unknown): CommandResult => {
          if (err instanceof CommandError) return { completionCode: err.completionCode, errorDescription: err.message };
          log.error({ err, command: name }, 'command handler failed');
          return { completionCode: 'internalError', errorDescription: 'internal error; the agent logged the details' };
        });
      try {
        complete(await Promise.race([handled, timedOut, aborted]));
      } finally {
        if (timer) clearTimeout(timer);
      }
    }

    ws.on('close', () => {
      for (const c of inFlight.values()) c.abort(new CommandError('canceled', 'connection closed'));
      inFlight.clear();
    });
    ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  });

  return {
    broadcast(name, payload) {
      const text = JSON.stringify({ header: { name, requestId: 0, type: 'unsolicited' }, payload });
      for (const c of wss.clients) if (c.readyState === c.OPEN) c.send(text);
    },
    connectionCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
