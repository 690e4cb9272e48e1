import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMERA_SCENES, createCameraSimulator, type CameraSimulator } from '../../apps/simulators/src/camera/index.js';
import { createControlApp } from '../../apps/simulators/src/control-api.js';

let sim: CameraSimulator;
let server: Server;
let url: string;
beforeAll(async () => {
  sim = createCameraSimulator();
  await sim.start();
  server = createControlApp([sim]).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await sim.stop();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const frame = async (): Promise<Buffer> => Buffer.from(await (await fetch(`${url}/camera/frame.jpg`)).arrayBuffer());

describe('camera simulator control API', () => {
  it('switches scenes with POST /camera/scene, and the picture changes with them', async () => {
    const seen = new Set<string>();
    for (const scene of CAMERA_SCENES) {
      const res = await fetch(`${url}/camera/scene`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scene }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { scene: string }).scene).toBe(scene);
      const jpeg = await frame();
      expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 720, height: 960 });
      seen.add(jpeg.toString('base64'));
    }
    expect(seen.size).toBe(CAMERA_SCENES.length);
    const list = (await (await fetch(`${url}/`)).json()) as { devices: Array<{ name: string; state: { scene: string } }> };
    expect(list.devices.find((d) => d.name === 'camera')?.state.scene).toBe('blurred');
  });

  it('refuses an unknown scene and keeps the current one', async () => {
    await fetch(`${url}/camera/scene`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scene: 'person' }),
    });
    const res = await fetch(`${url}/camera/scene`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scene: 'sunset' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('person');
    expect(sim.state().scene).toBe('person');
  });

  it('serves a multipart MJPEG stream', async () => {
    const ac = new AbortController();
    const res = await fetch(`${url}/camera/stream.mjpg`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^multipart\/x-mixed-replace; boundary=/);
    const reader = res.body!.getReader();
    let got = Buffer.alloc(0);
    while (got.indexOf(Buffer.from([0xff, 0xd9])) < 0) {
      const { value, done } = await reader.read();
      if (done) break;
      got = Buffer.concat([got, Buffer.from(value)]);
    }
    ac.abort();
    expect(got.toString('latin1')).toMatch(/^--\w+\r\nContent-Type: image\/jpeg\r\nContent-Length: \d+\r\n\r\n\xff\xd8/);
  });
});
