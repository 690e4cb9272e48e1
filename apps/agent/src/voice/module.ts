import type { Express, Request, Response } from 'express';
import { serviceError } from '@kiosk/platform';
import type { AgentContext, AgentModule } from '../modules.js';
import { maxTextLength, Tts } from './tts.js';

const voicePath = '/api/voice';

/**
 * Voice guidance for the UI: `GET /api/voice/status` says whether the kiosk can speak, and
 * `GET /api/voice/speech?lang=zh-CN&text=…` returns the prompt as WAV. Chromium's own
 * speechSynthesis is silent on kiosk images without a system voice, so the agent synthesises
 * offline with espeak-ng and the UI plays the audio. The page's per-boot token is required
 * (header `X-Kiosk-Token`), so only the page the agent served can make the kiosk talk.
 */
export function createVoiceModule(ctx: AgentContext): AgentModule {
  const cfg = ctx.config.voice;
  const logger = ctx.logger.child({ module: 'voice' });
  const tts = new Tts({
    command: cfg.command,
    voices: cfg.voices,
    wordsPerMinute: cfg.wordsPerMinute,
    timeoutMs: cfg.timeoutMs,
    logger,
  });
  const authorised = (req: Request, res: Response): boolean => {
    if (req.get('x-kiosk-token') === ctx.token()) return true;
    res.status(403).json(serviceError('missing or wrong X-Kiosk-Token'));
    return false;
  };
  return {
    name: 'voice',
    async start() {
      // Probe in the background: the UI asks for the status, and a missing synthesiser is logged at boot.
      if (cfg.enabled) void tts.status();
    },
    health: () => ({ voice: cfg.enabled ? 'enabled' : 'disabled' }),
    routes(app: Express) {
      app.get(`${voicePath}/status`, async (req, res) => {
        if (!authorised(req, res)) return;
        if (!cfg.enabled) {
          res.json({ available: false, reason: 'disabled' });
          return;
        }
        const s = await tts.status();
        res.setHeader('Cache-Control', 'no-store');
        res.json({ available: s.ok, reason: s.ok ? null : 'noSynthesiser' });
      });
      app.get(`${voicePath}/speech`, async (req, res) => {
        if (!authorised(req, res)) return;
        const lang = req.query['lang'];
        const text = req.query['text'];
        if ((lang !== 'zh-CN' && lang !== 'en') || typeof text !== 'string' || !text.trim() || text.length > maxTextLength) {
          res.status(400).json(serviceError(`lang must be zh-CN or en and text 1–${maxTextLength} characters`));
          return;
        }
        if (!cfg.enabled || !(await tts.status()).ok) {
          res.status(503).json(serviceError('voice guidance unavailable'));
          return;
        }
        try {
          const wav = await tts.synthesize(text, lang);
          res.setHeader('Cache-Control', 'no-store');
          res.type('audio/wav').send(wav);
        } catch (err) {
          logger.error({ err: (err as Error).message }, 'speech synthesis failed');
          res.status(503).json(serviceError('speech synthesis failed'));
        }
      });
    },
  };
}
