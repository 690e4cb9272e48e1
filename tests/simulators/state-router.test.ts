// The control router the ID card and gas card simulators start from (apps/simulators/src/control-route.ts).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonRoute, routerErrorHandler, stateRouter } from '../../apps/simulators/src/control-route.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(router: express.Router): Promise<string> {
  const app = express();
  app.use('/dev', router);
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server!.once('listening', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/dev`;
}

describe('stateRouter', () => {
  it('answers GET / with the device state and parses JSON bodies for the routes added after it, up to the limit', async () => {
    let connected = true;
    const r = stateRouter({ state: () => ({ connected }) }, '1kb');
    r.post(
      '/plug',
      jsonRoute((body) => {
        connected = (body as { connected: boolean }).connected;
        return { connected };
      }),
    );
    r.use(routerErrorHandler);
    const base = await serve(r);
    expect(await (await fetch(`${base}/`)).json()).toEqual({ connected: true });
    const post = (body: string) =>
      fetch(`${base}/plug`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await (await post('{"connected":false}')).json()).toEqual({ connected: false });
    expect(await (await fetch(`${base}/`)).json()).toEqual({ connected: false });
    const big = await post(JSON.stringify({ connected: true, pad: 'x'.repeat(2048) }));
    expect(big.status).toBe(400);
    expect(connected).toBe(false);
  });
});
