/**
 * Voice guidance in the browser (issue 19 item 4): in 长辈版 every step asks the agent to speak
 * its instruction (zh, or en in English), the agent's audio is audible Mandarin, and a kiosk
 * that cannot speak says so instead of showing 语音开.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { createRecordFlows, upstreamStatusFrom } from '../../apps/agent/src/flows/index.js';
import { createServices } from '../../apps/agent/src/services/index.js';
import { createVoiceModule } from '../../apps/agent/src/voice/module.js';
import { parseWav, rms16 } from '../../apps/agent/src/voice/wav.js';
import { ensureUiBuilt } from '../helpers/browser.js';
import { rigKioskPerSuite } from '../helpers/rig-kiosk.js';
import { KIOSK } from '../flows/harness.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { startRig, type Rig } from '../session/rig.js';
import { onScreen, openKiosk } from './kiosk.js';

interface Spoken {
  lang: string;
  text: string;
}

/** The prompts the page asks the agent to speak (playwright cannot read these audio bodies back). */
function recordSpeech(page: Page): Spoken[] {
  const spoken: Spoken[] = [];
  page.on('request', (req: Request) => {
    const url = new URL(req.url());
    if (url.pathname === '/api/voice/speech')
      spoken.push({ lang: url.searchParams.get('lang') ?? '', text: url.searchParams.get('text') ?? '' });
  });
  return spoken;
}

describe('voice guidance with the offline synthesiser', () => {
  let sandbox: TestSandbox;
  let rig: Rig;
  let browser: BrowserContext;
  let page: Page;
  let spoken: Spoken[];
  const errors: string[] = [];

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    const services = createServices({ baseUrl: sandbox.url, timeoutMs: 3000, kioskId: KIOSK.id, retry: { maxAttempts: 1 } });
    rig = await startRig({
      uiDir: ensureUiBuilt(),
      devices: ['idcard', 'printer'],
      config: (c) => {
        c.kiosk = { ...KIOSK };
        c.session.countdown.defaultMs = 180_000;
        c.session.countdown.elderMs = 180_000;
      },
      session: { flows: createRecordFlows(services, { kiosk: KIOSK }), upstreams: upstreamStatusFrom(services, 200) },
      modules: [createVoiceModule],
    });
    ({ browser, page } = await openKiosk(rig.agent.url));
    page.on('pageerror', (e) => errors.push(e.message));
    spoken = recordSpeech(page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
    await sandbox?.close();
  });

  const said = (text: string, lang = 'zh-CN'): Promise<void> =>
    expect.poll(() => spoken.some((s) => s.text.includes(text) && s.lang === lang), { timeout: 10_000 }).toBe(true);

  it('every step of a tax journey speaks its own instruction, as audible audio', async () => {
    await onScreen(page, 'attract');
    await page.getByTestId('attract-start').click();
    await onScreen(page, 'home');
    await page.getByTestId('elder-switch').click();
    await expect
      .poll(() => page.getAttribute('[data-testid="voice-switch"]', 'data-voice'), { timeout: 10_000 })
      .toBe('available');
    expect(await page.getByTestId('voice-switch').textContent()).toContain('语音开');
    await said('请选择要办理的业务');
    await page.getByTestId('tile-tax').click();
    await onScreen(page, 'identity', 'waitCard');
    await said('请将身份证放在读卡区');
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await onScreen(page, 'identity', 'confirmed');
    await said('已读取您的证件');
    await page.getByTestId('continue').click();
    await onScreen(page, 'service', 'chooseYears');
    await said('请选择查询年度');
    await page.getByTestId('tax-query').click();
    await onScreen(page, 'service', 'list');
    await said('个人所得税纳税记录');
    await page.getByTestId('rf-print').click();
    await onScreen(page, 'service', 'confirm');
    await said('确认打印');
    // The old guidance said "即将开通" on entering any service and nothing after.
    expect(spoken.map((s) => s.text).join('|')).not.toContain('即将开通');
    // What the page asked for is audible Mandarin when the agent serves it (same route, same token).
    for (const s of spoken) {
      const res = await fetch(`${rig.agent.url}/api/voice/speech?${new URLSearchParams({ lang: s.lang, text: s.text })}`, {
        headers: { 'X-Kiosk-Token': rig.agent.token },
      });
      expect(res.status, s.text).toBe(200);
      expect(rms16(parseWav(Buffer.from(await res.arrayBuffer())).data), s.text).toBeGreaterThan(0.02);
    }

    // Chromium decoded and started the agent's WAV (not just fetched it).
    // Synthesis and decoding take a while on a loaded machine: wait on the counter, not the default 1 s.
    await expect
      .poll(() => page.evaluate(() => Number(document.documentElement.dataset['voicePlayed'] ?? 0)), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.dataset['voiceError'] ?? null)).toBeNull();

    // In English the same steps are spoken in English.
    await page.getByTestId('lang-switch').click();
    await said('Print this slip?', 'en');
    await page.getByTestId('lang-switch').click();

    // Switched off: no more speech requests.
    await page.getByTestId('voice-switch').click();
    await expect.poll(() => page.getAttribute('[data-testid="voice-switch"]', 'aria-pressed'), { timeout: 10_000 }).toBe('false');
    const before = spoken.length;
    await page.getByTestId('rf-back').click();
    await onScreen(page, 'service', 'list');
    await page.getByTestId('rf-back').click();
    await onScreen(page, 'service', 'chooseYears');
    expect(spoken.length).toBe(before);
    expect(errors).toEqual([]);
  }, 90_000);
});

describe('a kiosk that cannot speak', () => {
  let page: Page;
  rigKioskPerSuite(
    {
      devices: ['idcard'],
      config: (c) => {
        c.voice.command = '/nonexistent/espeak-ng';
      },
      modules: [createVoiceModule],
    },
    (k) => ({ page } = k),
    60_000,
  );

  it('says voice is unavailable instead of a 语音开 switch (Chromium here has no system voice)', async () => {
    await page.getByTestId('attract-start').click();
    await onScreen(page, 'home');
    await page.getByTestId('elder-switch').click();
    await page.waitForSelector('[data-testid="voice-unavailable"]');
    expect(await page.getByTestId('voice-unavailable').textContent()).toContain('本机无语音播报');
    expect(await page.getByTestId('voice-switch').count()).toBe(0);
    expect(await page.locator('header').textContent()).not.toContain('语音开');
  });
});
