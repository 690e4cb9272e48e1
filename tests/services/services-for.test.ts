// servicesFor (services/index.ts): the connectors a config names, used by compose, the gas module and the gas CLI.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { servicesFor } from '../../apps/agent/src/services/index.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('servicesFor', () => {
  it('calls every upstream at upstream.baseUrl with the kiosk id of the config', async () => {
    const seen: { url: string | undefined; kiosk: string | string[] | undefined }[] = [];
    server = createServer((req, res) => {
      seen.push({ url: req.url, kiosk: req.headers['x-kiosk-id'] });
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'NOT_FOUND', message: 'no' }));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const services = servicesFor({ kiosk: { id: 'K-42' }, upstream: { baseUrl, timeoutMs: 2000 } });
    expect(await services.slips.verify('S-404')).toBeNull();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.kiosk).toBe('K-42');
    expect(seen[0]!.url).toContain('S-404');
    expect(services.availability().map((a) => a.upstream)).toContain('gas');
  });
});
