import { useEffect, useState } from 'preact/hooks';
import type { Lang } from './i18n';

/**
 * Spoken guidance (elder mode). The agent synthesises each prompt offline (espeak-ng, Mandarin
 * voice `cmn`; GET /api/voice/speech) and the page plays the WAV: Chromium's own speechSynthesis
 * is silent on kiosk images without a system voice. A system voice is the fallback when the
 * agent cannot speak. `voiceStatus()` says whether anything can speak, so the voice switch never
 * claims 语音开 on a mute kiosk.
 */
export type VoiceStatus = 'checking' | 'available' | 'unavailable';

let status: VoiceStatus = 'checking';
let agentVoice = false;
const listeners = new Set<(s: VoiceStatus) => void>();
interface Playing {
  audio: HTMLAudioElement | null;
  abort: AbortController;
  url: string | null;
}
let current: Playing | null = null;

function token(): string {
  return document.querySelector('meta[name="kiosk-token"]')?.getAttribute('content') ?? '';
}

function systemVoice(lang: Lang): SpeechSynthesisVoice | undefined {
  try {
    const voices = window.speechSynthesis?.getVoices() ?? [];
    const prefix = lang === 'en' ? 'en' : 'zh';
    return voices.find((v) => v.lang.toLowerCase().startsWith(prefix));
  } catch {
    return undefined;
  }
}

function setStatus(s: VoiceStatus): void {
  if (s === status) return;
  status = s;
  for (const fn of listeners) fn(s);
}

let ready: Promise<void> | null = null;

/** Asks the agent whether it can speak; asked again while the answer is "no" (agent restart, install). */
function start(): Promise<void> {
  if (ready) return ready;
  const check = async (): Promise<void> => {
    try {
      const res = await fetch('/api/voice/status', { headers: { 'X-Kiosk-Token': token() }, cache: 'no-store' });
      const body = (await res.json()) as { available?: boolean };
      agentVoice = res.ok && body.available === true;
    } catch {
      agentVoice = false;
    }
    setStatus(agentVoice || systemVoice('zh-CN') ? 'available' : 'unavailable');
    if (!agentVoice) window.setTimeout(() => void check(), 60_000);
  };
  ready = check();
  return ready;
}

function voiceStatus(): VoiceStatus {
  void start();
  return status;
}

/** The current voice status, re-rendering when it changes. */
export function useVoiceStatus(): VoiceStatus {
  const [s, set] = useState<VoiceStatus>(voiceStatus());
  useEffect(() => {
    listeners.add(set);
    set(status);
    return () => void listeners.delete(set);
  }, []);
  return s;
}

export function speak(text: string, lang: Lang): void {
  if (!text) return;
  stopSpeaking();
  const abort = new AbortController();
  const mine: Playing = { audio: null, abort, url: null };
  current = mine;
  // The first prompt may come before the agent said whether it can speak: wait for that answer.
  void start().then(() => {
    if (current !== mine) return;
    if (agentVoice) void playFromAgent(text, lang, mine);
    else speakWithSystemVoice(text, lang);
  });
}

async function playFromAgent(text: string, lang: Lang, mine: Playing): Promise<void> {
  try {
    const q = new URLSearchParams({ lang, text });
    const res = await fetch(`/api/voice/speech?${q}`, { headers: { 'X-Kiosk-Token': token() }, signal: mine.abort.signal });
    if (!res.ok) return;
    const blob = await res.blob();
    if (current !== mine) return;
    mine.url = URL.createObjectURL(blob);
    mine.audio = new Audio(mine.url);
    await mine.audio.play();
    // Visible to tests and to a technician in devtools: how many prompts actually started playing.
    played++;
    document.documentElement.dataset['voicePlayed'] = String(played);
  } catch (err) {
    // Aborted by the next prompt, or this one could not be played: stay silent, but say why.
    if ((err as Error).name !== 'AbortError') document.documentElement.dataset['voiceError'] = (err as Error).name || 'error';
  }
}
let played = 0;

function speakWithSystemVoice(text: string, lang: Lang): void {
  try {
    const voice = systemVoice(lang);
    if (!voice) return;
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang;
    u.rate = 0.9;
    window.speechSynthesis.speak(u);
  } catch {
    /* no synthesis: stay silent */
  }
}

export function stopSpeaking(): void {
  if (current) {
    current.abort.abort();
    current.audio?.pause();
    if (current.url) URL.revokeObjectURL(current.url);
    current = null;
  }
  try {
    window.speechSynthesis?.cancel();
  } catch {
    /* nothing to stop */
  }
}
