/**
 * Offline voice guidance: espeak-ng (Debian package, Mandarin voice cmn) through the agent's
 * /api/voice routes. The audio must carry speech (RMS well above silence), the route needs the
 * page's token, and a kiosk without a synthesiser says "unavailable" instead of pretending.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { createVoiceModule } from '../../apps/agent/src/voice/module.js';
import { Tts } from '../../apps/agent/src/voice/tts.js';
import { durationSeconds, fixWavSizes, parseWav, rms16 } from '../../apps/agent/src/voice/wav.js';
import { testConfig } from '../helpers/config.js';

/** Speech from espeak-ng sits around 0.1–0.3 RMS; silence (a mute synthesiser) is ~0. */
const speechRms = 0.02;

function speechStats(wav: Buffer): { rms: number; seconds: number; rate: number } {
  const w = parseWav(wav);
  return { rms: rms16(w.data), seconds: durationSeconds(w), rate: w.sampleRate };
}

/** A 44-byte WAV header for 16-bit mono PCM at 22050 Hz, with the RIFF and data sizes as given. */
function wavHeader(riffSize: number, dataSize: number): Buffer {
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(riffSize, 4);
  head.write('WAVEfmt ', 8, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(22050, 24);
  head.writeUInt32LE(44100, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(dataSize, 40);
  return head;
}

describe('wav helpers', () => {
  it('RMS of silence is 0 and of a full-scale square wave is 1', () => {
    expect(rms16(Buffer.alloc(2000))).toBe(0);
    const sq = Buffer.alloc(2000);
    for (let i = 0; i < 1000; i++) sq.writeInt16LE(i % 2 ? 32767 : -32768, i * 2);
    expect(rms16(sq)).toBeGreaterThan(0.99);
  });

  it('fixes the 0x7ffff000 sizes espeak-ng writes when streaming to stdout', () => {
    const head = wavHeader(0x7ffff024, 0x7ffff000);
    const wav = fixWavSizes(Buffer.concat([head, Buffer.alloc(100)]));
    expect(wav.readUInt32LE(4)).toBe(136);
    expect(wav.readUInt32LE(40)).toBe(100);
    expect(parseWav(wav).data.length).toBe(100);
  });
});

describe('espeak-ng synthesis', () => {
  const tts = new Tts({
    command: 'espeak-ng',
    voices: { 'zh-CN': 'cmn', en: 'en-us' },
    wordsPerMinute: 140,
    timeoutMs: 10_000,
    logger: silentLogger(),
  });

  it('is installed and speaks (status probe)', async () => {
    expect(await tts.status()).toEqual({ ok: true, reason: null });
  });

  it('a Chinese prompt becomes audible speech, longer for a longer prompt', async () => {
    const short = speechStats(await tts.synthesize('请选择要办理的业务', 'zh-CN'));
    expect(short.rms).toBeGreaterThan(speechRms);
    expect(short.seconds).toBeGreaterThan(1);
    const long = speechStats(
      await tts.synthesize('请将身份证放在读卡区。读卡区在屏幕下方，标有身份证图案。放好后请不要移动。', 'zh-CN'),
    );
    expect(long.rms).toBeGreaterThan(speechRms);
    expect(long.seconds).toBeGreaterThan(short.seconds * 2);
  });

  it('Mandarin is spoken as Mandarin, not spelled out as unknown characters', async () => {
    // A voice without Chinese reads each character as "Chinese letter" (seconds per character).
    const cmn = speechStats(await tts.synthesize('你好', 'zh-CN'));
    const en = speechStats(await tts.synthesize('你好', 'en'));
    expect(cmn.seconds).toBeLessThan(en.seconds);
  });

  it('an option-like text is spoken, not taken as an option', async () => {
    const s = speechStats(await tts.synthesize('--help 请稍候', 'zh-CN'));
    expect(s.rms).toBeGreaterThan(speechRms);
  });

  it('a synthesiser that only produces silence is caught (the probe measures RMS, not just exit 0)', async () => {
    // A stand-in "espeak-ng" that answers every request with a valid but silent WAV.
    const dir = mkdtempSync(join(tmpdir(), 'mute-tts-'));
    // One second of silence.
    const wav = Buffer.concat([wavHeader(44 + 22050 * 2 - 8, 22050 * 2), Buffer.alloc(22050 * 2)]);
    writeFileSync(join(dir, 'silent.wav'), wav);
    const script = join(dir, 'mute-tts');
    writeFileSync(script, `#!/bin/sh\ncat > /dev/null\ncat '${join(dir, 'silent.wav')}'\n`);
    chmodSync(script, 0o755);
    const mute = new Tts({
      command: script,
      voices: { 'zh-CN': 'cmn', en: 'en' },
      wordsPerMinute: 140,
      timeoutMs: 5000,
      logger: silentLogger(),
    });
    expect(await mute.status()).toEqual({ ok: false, reason: 'synthesiser produced silence' });
    rmSync(dir, { recursive: true, force: true });
  });

  it('a missing synthesiser is reported unavailable with a reason', async () => {
    const none = new Tts({
      command: '/nonexistent/espeak-ng',
      voices: { 'zh-CN': 'cmn', en: 'en' },
      wordsPerMinute: 140,
      timeoutMs: 2000,
      logger: silentLogger(),
    });
    const s = await none.status();
    expect(s.ok).toBe(false);
    expect(s.reason).toMatch(/ENOENT/);
  });
});

describe('agent routes /api/voice', () => {
  let agent: Agent;
  let mute: Agent;
  beforeAll(async () => {
    agent = await startAgent(testConfig(), { logger: silentLogger(), modules: [createVoiceModule] });
    mute = await startAgent(
      testConfig((c) => {
        c.voice.command = '/nonexistent/espeak-ng';
      }),
      { logger: silentLogger(), modules: [createVoiceModule] },
    );
  });
  afterAll(async () => {
    await agent?.stop();
    await mute?.stop();
  });
  const get = (a: Agent, path: string, token: string | null = a.token): Promise<Response> =>
    fetch(`${a.url}${path}`, { headers: token === null ? {} : { 'X-Kiosk-Token': token } });

  it('status says available; speech returns a WAV with audible Mandarin', async () => {
    expect(await (await get(agent, '/api/voice/status')).json()).toEqual({ available: true, reason: null });
    const res = await get(agent, `/api/voice/speech?lang=zh-CN&text=${encodeURIComponent('请扫码支付')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^audio\/wav/);
    const s = speechStats(Buffer.from(await res.arrayBuffer()));
    expect(s.rms).toBeGreaterThan(speechRms);
    expect(s.seconds).toBeGreaterThan(0.5);
  });

  it('needs the page token; bad input is a clear 400', async () => {
    expect((await get(agent, '/api/voice/status', null)).status).toBe(403);
    expect((await get(agent, '/api/voice/speech?lang=zh-CN&text=x', 'wrong')).status).toBe(403);
    const bad = await get(agent, '/api/voice/speech?lang=fr&text=x');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/zh-CN or en/);
    expect((await get(agent, `/api/voice/speech?lang=zh-CN&text=${'长'.repeat(401)}`)).status).toBe(400);
  });

  it('without a synthesiser: status unavailable and speech 503, never silent audio', async () => {
    expect(await (await get(mute, '/api/voice/status')).json()).toEqual({ available: false, reason: 'noSynthesiser' });
    expect((await get(mute, '/api/voice/speech?lang=zh-CN&text=%E8%AF%B7')).status).toBe(503);
  });
});
