import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../../apps/agent/src/agent.js';
import { isBlank, parsePpm, ScreenJudge, type Image } from '../../apps/agent/src/selfcare/screen-check.js';
import { tempDir } from '../helpers/config.js';
import { fakeCentral, selfcareAgent, until, type FakeCentral } from './harness.js';

/** A P6 PPM of w×h pixels from a colour function. */
function ppm(w: number, h: number, colour: (x: number, y: number) => [number, number, number]): Buffer {
  const header = Buffer.from(`P6\n# test\n${w} ${h}\n255\n`, 'ascii');
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(colour(x, y), (y * w + x) * 3);
  return Buffer.concat([header, px]);
}
const white = ppm(40, 30, () => [255, 255, 255]);
const page = (shade: number): Buffer => ppm(40, 30, (x, y) => (x > 10 && y > 10 ? [shade, 80, 40] : [250, 250, 250]));

describe('screen captures', () => {
  it('parses binary PPM and refuses anything else', () => {
    const img = parsePpm(page(10));
    expect([img.width, img.height, img.rgb.length]).toEqual([40, 30, 3600]);
    expect(() => parsePpm(Buffer.from('\x89PNG....'))).toThrow(/PPM/);
    expect(() => parsePpm(page(10).subarray(0, 100))).toThrow(/truncated/);
  });

  it('tells a blank screen from a page', () => {
    expect(isBlank(parsePpm(white))).toBe(true);
    expect(isBlank(parsePpm(page(10)))).toBe(false);
  });

  it('blank twice in a row, or unchanged pixels across a change of screen, is a dead page', () => {
    const j = new ScreenJudge();
    const img = (b: Buffer): Image => parsePpm(b);
    expect(j.sample('home/', img(white))).toBeNull(); // loading
    expect(j.sample('home/', img(white))).toBe('blank');
    j.reset();
    expect(j.sample('home/', img(page(10)))).toBeNull();
    expect(j.sample('home/', img(page(10)))).toBeNull(); // nothing should have changed
    expect(j.sample('identity/', img(page(20)))).toBeNull(); // it changed, as it should
    expect(j.sample('service/', img(page(20)))).toBe('frozen');
  });
});

let agent: Agent | undefined;
let central: FakeCentral | undefined;
afterEach(async () => {
  await agent?.stop();
  await central?.close();
  agent = central = undefined;
});

describe('browser watchdog with screen captures', () => {
  it('restarts the browser when the screen stays blank although the UI still pings', async () => {
    central = await fakeCentral();
    const dir = tempDir('kiosk-screen-');
    const screen = join(dir, 'screen.ppm');
    const log = join(dir, 'restarts.log');
    const grab = join(dir, 'grab.sh');
    writeFileSync(grab, `#!/bin/sh\ncat ${screen}\n`);
    chmodSync(grab, 0o755);
    writeFileSync(screen, page(10));
    agent = await selfcareAgent(central, (c) => {
      c.selfcare.browser.pingTimeoutMs = 3_600_000; // the ping is not what this test is about
      c.selfcare.browser.screenshotCommand = [grab];
      c.selfcare.browser.screenCheckIntervalMs = 1000;
      c.selfcare.browser.restartCommand = ['sh', '-c', `echo restart >> ${log}`];
    });
    await until(() => central!.heartbeats >= 2, 'running a while with a good page');
    expect(existsSync(log)).toBe(false);
    writeFileSync(screen, white);
    await until(() => existsSync(log), 'browser restarted');
    await until(
      () => central!.events.some((e) => e.type === 'browser.restart' && e.payload.reason === 'screen blank'),
      'restart reported with its reason',
    );
    expect(readFileSync(log, 'utf8')).toContain('restart');
  });
});
