import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { tempDir } from '../helpers/config.js';

/** deploy/kiosk-browser.sh with a stand-in browser that records how it was started. */
describe('kiosk browser launcher', () => {
  it('starts Chromium in kiosk mode at the agent with the lock-down flags and a fresh profile', async () => {
    const dir = tempDir('kiosk-launcher-');
    const argsFile = join(dir, 'args');
    const fake = join(dir, 'chromium');
    writeFileSync(
      fake,
      `#!/bin/sh\nfor a in "$@"; do echo "$a"; done > ${argsFile}\nls -A "$KIOSK_PROFILE_DIR" >> ${argsFile}.profile\n`,
    );
    chmodSync(fake, 0o755);
    const profile = join(dir, 'profile');
    mkdirSync(profile);
    writeFileSync(join(profile, 'Last Session'), 'a previous citizen');
    // The agent: the launcher waits for its /healthz.
    const server = createServer((_req, res) => res.end('{"status":"ok"}')).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // Asynchronous: the stand-in agent in this process must answer while the launcher runs.
    const child = spawn('bash', [join(projectRoot, 'deploy/kiosk-browser.sh')], {
      env: { ...process.env, KIOSK_URL: url, KIOSK_BROWSER: fake, KIOSK_PROFILE_DIR: profile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    const r = { status: code, stderr };
    server.close();
    expect(r.status, String(r.stderr)).toBe(0);
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(args.slice(0, 2)).toEqual(['--kiosk', url]);
    for (const flag of [
      `--user-data-dir=${profile}`,
      '--no-first-run',
      '--noerrdialogs',
      '--disable-session-crashed-bubble', // crash bubbles
      '--disable-infobars',
      '--disable-translate', // translate bar
      '--overscroll-history-navigation=0', // swipe navigation
      '--disable-pinch', // pinch zoom
      '--password-store=basic',
      '--disable-component-update', // updates
      '--check-for-update-interval=31536000',
    ]) {
      expect(args).toContain(flag);
    }
    const features = args
      .find((a) => a.startsWith('--disable-features='))!
      .split('=')[1]!
      .split(',');
    expect(features).toEqual(expect.arrayContaining(['Translate', 'OverscrollHistoryNavigation', 'PasswordManagerOnboarding']));
    // Fresh profile: the stale file is gone when the browser starts.
    expect(readFileSync(`${argsFile}.profile`, 'utf8').trim()).toBe('');
    expect(existsSync(join(profile, 'Last Session'))).toBe(false);
  });

  it('the managed policy turns off the password manager, translate, dev tools and other sites', () => {
    const policy = JSON.parse(readFileSync(join(projectRoot, 'deploy/chromium-policy.json'), 'utf8')) as Record<string, unknown>;
    expect(policy).toMatchObject({
      PasswordManagerEnabled: false,
      TranslateEnabled: false,
      DeveloperToolsAvailability: 2,
      URLBlocklist: ['*'],
    });
  });
});
