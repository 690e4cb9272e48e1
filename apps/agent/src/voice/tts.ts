import { spawn } from 'node:child_process';
import type { Logger } from '@kiosk/platform';
import { fixWavSizes, parseWav, rms16 } from './wav.js';

export type VoiceLang = 'zh-CN' | 'en';

export interface TtsOptions {
  command: string;
  voices: Record<VoiceLang, string>;
  wordsPerMinute: number;
  timeoutMs: number;
  logger: Logger;
}

/** Longest prompt the kiosk speaks; screen instructions are far shorter. */
export const maxTextLength = 400;
const cacheSize = 64;

/**
 * Offline speech synthesis with espeak-ng (Mandarin voice `cmn`): text in, WAV bytes out.
 * Recent prompts are cached, so a screen's instruction is synthesised once per boot.
 */
export class Tts {
  private readonly cache = new Map<string, Buffer>();
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private availability: Promise<{ ok: boolean; reason: string | null }> | undefined;

  constructor(private readonly opts: TtsOptions) {}

  /** Whether the synthesiser runs and speaks (a short probe synthesis, checked once and cached). */
  async status(): Promise<{ ok: boolean; reason: string | null }> {
    this.availability ??= this.probe();
    return this.availability;
  }

  private async probe(): Promise<{ ok: boolean; reason: string | null }> {
    try {
      const wav = await this.run('请', 'zh-CN');
      if (rms16(parseWav(wav).data) > 0.005) return { ok: true, reason: null };
      this.opts.logger.warn('voice guidance unavailable: the synthesiser produced silence');
      return { ok: false, reason: 'synthesiser produced silence' };
    } catch (err) {
      const reason = (err as Error).message;
      this.opts.logger.warn({ reason }, 'voice guidance unavailable: no speech synthesiser');
      return { ok: false, reason };
    }
  }

  /** WAV bytes (PCM 16-bit mono) of `text` in `lang`. */
  async synthesize(text: string, lang: VoiceLang): Promise<Buffer> {
    const key = `${lang}|${text}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Map order is insertion order: re-insert to keep the most recent last.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.run(text, lang).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    const wav = await p;
    this.cache.set(key, wav);
    if (this.cache.size > cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return wav;
  }

  private run(text: string, lang: VoiceLang): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      // Text goes in on stdin, never as an argument, so nothing in it can act as an option.
      const child = spawn(
        this.opts.command,
        ['-v', this.opts.voices[lang], '-s', String(this.opts.wordsPerMinute), '--stdout', '--stdin'],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      const chunks: Buffer[] = [];
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), this.opts.timeoutMs);
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          reject(new Error(`${this.opts.command} failed (${signal ?? code}): ${stderr.trim()}`));
          return;
        }
        resolve(fixWavSizes(Buffer.concat(chunks)));
      });
      child.stdin.end(text);
    });
  }
}
