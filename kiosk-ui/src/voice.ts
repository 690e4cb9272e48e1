import type { Lang } from './i18n';

/**
 * Spoken guidance for elder mode through the browser's speech synthesis. Silent without error
 * when the browser has no synthesis or no voice for the language (common on kiosk images).
 */
let lastText = '';

function voiceFor(lang: Lang): SpeechSynthesisVoice | undefined {
  const voices = window.speechSynthesis?.getVoices() ?? [];
  const prefix = lang === 'en' ? 'en' : 'zh';
  return voices.find((v) => v.lang.toLowerCase().startsWith(prefix));
}

export function voiceAvailable(lang: Lang): boolean {
  try {
    return 'speechSynthesis' in window && voiceFor(lang) !== undefined;
  } catch {
    return false;
  }
}

export function speak(text: string, lang: Lang): void {
  try {
    const synth = window.speechSynthesis;
    if (!synth || !text) return;
    const voice = voiceFor(lang);
    if (!voice) return;
    synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang;
    u.rate = 0.9;
    synth.speak(u);
    lastText = text;
  } catch {
    /* no synthesis: stay silent */
  }
}

export function stopSpeaking(): void {
  try {
    window.speechSynthesis?.cancel();
  } catch {
    /* nothing to stop */
  }
}

/** What was last spoken (for tests and the "repeat" affordance). */
export function lastSpoken(): string {
  return lastText;
}
