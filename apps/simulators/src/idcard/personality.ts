/**
 * Reader "personalities": behaviours that differ between real SAM readers in the field and that
 * the protocol allows (reference §2.2, §5, §9). The driver must hold on every one of them, so
 * the simulator can play each, per test (`createIdCardSimulator({personality})`) and through the
 * control API (`POST /idcard/personality`). docs/idcard.md lists what each stands for.
 */
import { z } from 'zod';

/**
 * How the reader answers `30 05` (card management number), whose support and layout are
 * unverified (reference §2.1 "[?]", §9):
 * - `supported`: 90 + 24 bytes while a selected or read card stays in the field.
 * - `after-read-only`: 90 only right after select/read (the S18 vendor note: without a fresh
 *   authentication it cannot be read); later asks answer SW3 24, as a bridge firmware answers
 *   out-of-sequence commands (S11), although the card is still in place.
 * - `no-content`: SW3 91 (the card holds nothing for this item) with the card in place.
 * - `read-failed`: SW3 41 with the card in place (the RF read of that file fails).
 * - `rejected`: SW3 21, an unknown command (reference §2.1 "Other values").
 * - `silent`: no reply at all, as firmware that ignores commands it does not know.
 */
const managementNumberModes = ['supported', 'after-read-only', 'no-content', 'read-failed', 'rejected', 'silent'] as const;
type ManagementNumberMode = (typeof managementNumberModes)[number];

export interface ReaderPersonality {
  managementNumber: ManagementNumberMode;
  /**
   * For this long after a card is placed it is still sliding into the field: find answers 9F
   * (the card answers the RF wake-up), but select answers SW3 81 and read SW3 41 (too little
   * coupling to authenticate), as a citizen's slow hand on a real reader does. 0 = seated at once.
   */
  slideInMs: number;
  /**
   * Before every reply, a truncated stale frame: the cut-off rest of an earlier reply (a reply the
   * reader abandoned, or bytes a USB-serial bridge held back across a reconnect), sometimes the
   * header of a 1295-byte read reply cut after a few dozen bytes.
   */
  staleFrames: boolean;
  /**
   * After a successful read, find answers 9F again while the card lies there (the reader wakes
   * halted cards), instead of 80 until the card has left the field (reference §2.2, S17).
   */
  refindsReadCard: boolean;
  /** Out-of-sequence select/read answer SW3 24 (S11's bridge firmware) instead of being tolerated. */
  strictSequence: boolean;
}

export const standardPersonality: ReaderPersonality = {
  managementNumber: 'supported',
  slideInMs: 0,
  staleFrames: false,
  refindsReadCard: false,
  strictSequence: false,
};

export interface PersonalityPreset {
  description: string;
  personality: Partial<ReaderPersonality>;
}

/** Named presets for tests and the control API; each starts from `standard`. */
export const personalityPresets: Record<string, PersonalityPreset> = {
  standard: { description: 'answers 30 05 while the card stays; card seated at once; clean replies', personality: {} },
  'no-30-05': { description: 'does not answer 30 05 at all (silent)', personality: { managementNumber: 'silent' } },
  'rejects-30-05': { description: 'answers 30 05 with SW3 21 (unknown command)', personality: { managementNumber: 'rejected' } },
  '30-05-after-read-only': {
    description: '30 05 answers 90 only right after select/read, later SW3 24 with the card still in place',
    personality: { managementNumber: 'after-read-only' },
  },
  '30-05-no-content': {
    description: '30 05 answers SW3 91 with the card in place',
    personality: { managementNumber: 'no-content' },
  },
  '30-05-read-failed': {
    description: '30 05 answers SW3 41 with the card in place',
    personality: { managementNumber: 'read-failed' },
  },
  'slow-slide-in': {
    description: 'for 1.2 s after placement select answers 81 and read 41 (card still sliding in)',
    personality: { slideInMs: 1200 },
  },
  'stale-frames': { description: 'a truncated stale frame before every reply', personality: { staleFrames: true } },
  'refinds-read-card': {
    description: 'find answers 9F again while a read card lies on the reader',
    personality: { refindsReadCard: true },
  },
  strict: { description: 'out-of-sequence select/read answer SW3 24', personality: { strictSequence: true } },
};

export const personalitySchema = z
  .object({
    preset: z.string().min(1).optional(),
    managementNumber: z.enum(managementNumberModes).optional(),
    slideInMs: z.number().int().min(0).max(600_000).optional(),
    staleFrames: z.boolean().optional(),
    refindsReadCard: z.boolean().optional(),
    strictSequence: z.boolean().optional(),
  })
  .strict();

export type PersonalityInput = z.infer<typeof personalitySchema>;

/**
 * The personality a preset name or partial input describes. Without a preset the fields change
 * `base`; with one they change the preset. Throws Error on an unknown preset name.
 */
export function resolvePersonality(
  input: PersonalityInput | string,
  base: ReaderPersonality = standardPersonality,
): ReaderPersonality {
  const spec: PersonalityInput = typeof input === 'string' ? { preset: input } : input;
  let start = base;
  if (spec.preset !== undefined) {
    const preset = personalityPresets[spec.preset];
    if (!preset) {
      throw new Error(`unknown personality preset "${spec.preset}"; known: ${Object.keys(personalityPresets).join(', ')}`);
    }
    start = { ...standardPersonality, ...preset.personality };
  }
  const { preset: _preset, ...fields } = spec;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<ReaderPersonality>;
  return { ...start, ...defined };
}
