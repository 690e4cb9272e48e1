/**
 * The touch UI: how much JavaScript it ships, how fast the home screen is usable after a
 * navigation on a slow kiosk CPU (Chromium CPU throttling 4×), and how fast a tap shows the next
 * screen (the tap goes to the agent and the new view comes back over the WebSocket).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startAgent } from '../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { createSessionModule } from '../apps/agent/src/session/module.js';
import { ensureUiBuilt, launchBrowser } from '../tests/helpers/browser.js';
import { testConfig } from '../tests/helpers/config.js';
import { TestSocket } from '../tests/helpers/ws.js';
import type { Benchmark, BenchResult } from './result.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Records (page clock) when a selector first appears, from before any page script runs. */
const watchScript = `
  window.__seen = {};
  window.__watch = (name, selector) => {
    const check = () => {
      if (!window.__seen[name] && document.querySelector(selector)) window.__seen[name] = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
    check();
  };
  window.__watch('home', '[data-testid="screen-home"] [data-testid="tile-gas"]');
  addEventListener('pointerdown', () => { window.__tapAt = performance.now(); window.__seen = {}; }, true);
  window.__watch('service', '[data-testid="screen-service"]');
  window.__watch('homeAgain', '[data-testid="screen-home"]');
`;

async function seen(page: Page, name: string): Promise<number> {
  await page.waitForFunction((n) => (window as unknown as { __seen: Record<string, number> }).__seen[n] !== undefined, name, {
    timeout: 10_000,
  });
  return page.evaluate((n) => (window as unknown as { __seen: Record<string, number> }).__seen[n]!, name);
}

async function tapLatency(page: Page, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    await page.click('[data-testid="tile-gas"]');
    const at = await seen(page, 'service');
    out.push(at - (await page.evaluate(() => (window as unknown as { __tapAt: number }).__tapAt)));
    await page.click('[data-testid="back-home"]');
    await seen(page, 'homeAgain');
  }
  return out;
}

/**
 * The agent runs in its own process, as on a kiosk (in-process, the benchmark's own Playwright
 * traffic would share its event loop). This same file is the child: `UI_BENCH_AGENT=1`.
 */
async function agentChild(): Promise<void> {
  const config = testConfig((c) => {
    // Long countdowns: the session must not end while we measure.
    c.session.countdown.defaultMs = 600_000;
  });
  const agent = await startAgent(config, { logger: silentLogger(), uiDir: ensureUiBuilt(), modules: [createSessionModule] });
  process.stdout.write(`${JSON.stringify({ url: agent.url, token: agent.token })}\n`);
  const stop = (): void => void agent.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

async function spawnAgent(): Promise<{ url: string; token: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, UI_BENCH_AGENT: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench agent exited (${code})`)));
  });
  const { url, token } = JSON.parse(line) as { url: string; token: string };
  return {
    url,
    token,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const run: Benchmark = async () => {
  const dist = ensureUiBuilt();
  const assets = join(dist, 'assets');
  const jsGzip = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);

  const agent = await spawnAgent();
  const browser = await launchBrowser({ width: 1080, height: 1920 });
  try {
    // The agent is on the home screen (a citizen started): a navigation lands on it directly.
    const ws = await TestSocket.open(agent.url, agent.token);
    await ws.command('Session.Start', {}, 1);
    ws.close();

    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage();
      const cdp = await browser.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      await page.addInitScript(watchScript);
      await page.goto(agent.url);
      // performance.now() counts from the navigation's start.
      loads.push(await seen(page, 'home'));
      await page.close();
    }

    const page = await browser.newPage();
    await page.addInitScript(watchScript);
    await page.goto(agent.url);
    await seen(page, 'home');
    const taps = await tapLatency(page, 10);
    const cdp = await browser.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    const slowTaps = await tapLatency(page, 10);
    await page.close();

    const rows: BenchResult[] = [
      { name: 'ui_js_gzip_kb', value: round(jsGzip / 1024), unit: 'KB', peer: null, peerValue: null, goal: { max: 60 } },
      {
        name: 'ui_navigation_to_home_interactive_cpu4x_ms',
        value: round(median(loads)),
        unit: 'ms',
        peer: null,
        peerValue: null,
        goal: { max: 1000 },
      },
      {
        name: 'ui_tap_to_next_screen_ms',
        value: round(median(taps)),
        unit: 'ms',
        peer: null,
        peerValue: null,
        goal: { max: 100 },
      },
      {
        name: 'ui_tap_to_next_screen_cpu4x_ms',
        value: round(median(slowTaps)),
        unit: 'ms',
        peer: null,
        peerValue: null,
        goal: { max: 100 },
      },
    ];
    return rows;
  } finally {
    await browser.close();
    await agent.stop();
  }
};

// `npx tsx bench/ui.bench.ts` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.env['UI_BENCH_AGENT'] === '1') {
    void agentChild();
  } else {
    run().then(
      (r) => console.table(r),
      (e: unknown) => {
        console.error(e);
        process.exitCode = 1;
      },
    );
  }
}
