/**
 * A loud, short chime for reminders that must not be missed (a card left in a reader). Uses Web
 * Audio, so it works on kiosk images without any speech voice installed. Each chime that actually
 * played is counted on `<html data-chimes>`, which the browser tests read.
 */
let audio: AudioContext | null = null;

function context(): AudioContext | null {
  try {
    audio ??= new AudioContext();
    return audio;
  } catch {
    return null;
  }
}

/** Three rising tones (~0.9 s). Resolves true when the audio device accepted them. */
export async function chime(): Promise<boolean> {
  const ctx = context();
  if (!ctx) return false;
  try {
    if (ctx.state !== 'running') await ctx.resume();
  } catch {
    return false;
  }
  if (ctx.state !== 'running') return false;
  const start = ctx.currentTime;
  [880, 1175, 1568].forEach((hz, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    const t0 = start + i * 0.3;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.6, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.28);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t0);
    osc.stop(t0 + 0.3);
  });
  const root = document.documentElement;
  root.dataset['chimes'] = String(Number(root.dataset['chimes'] ?? '0') + 1);
  return true;
}
