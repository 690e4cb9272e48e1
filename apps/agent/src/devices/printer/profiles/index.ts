import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { columnsFor } from '@kiosk/protocol-escpos';
import { fontCoverages } from '@kiosk/protocol-escpos';
import { projectRoot } from '@kiosk/kiosk-config';

/**
 * Printer profiles are data (one JSON file per model in this folder), validated here. A vendor
 * model is added by dropping in a JSON file; no code changes (see docs/printer.md).
 */
const printerProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore'),
    description: z.string(),
    paperWidthMm: z.number().positive(),
    /** Printable dots per line in font A terms: 384 for 58 mm, 576 for 80 mm at 203 dpi. */
    dotsPerLine: z.number().int().min(96).max(4096),
    dpi: z.number().int().positive(),
    /** Only GB18030 (Chinese mode, FS &) is implemented; listed so a Big5 model fails loudly. */
    encoding: z.literal('gb18030'),
    /**
     * Which GB characters the built-in font prints: `gb2312` (6 763 Hanzi, common on 58 mm
     * clones), `gbk` (21 886) or `gb18030-2byte` (every 2-byte code). Anything else — 4-byte
     * GB18030 such as 㙟 U+365F, or outside the stated set — prints as an image of the glyph.
     */
    fontCoverage: z.enum(fontCoverages).default('gb18030-2byte'),
    /** ESC t n code table for single-byte text outside Chinese mode (informational). */
    codePage: z.number().int().min(0).max(255),
    qr: z.object({
      /** GS ( k supported; otherwise QR codes print as raster images made with `qrcode`. */
      native: z.boolean(),
      /** Preferred dots per module; smaller when the symbol would not fit. */
      moduleSize: z.number().int().min(1).max(16),
      maxModuleSize: z.number().int().min(1).max(16),
      errorLevel: z.enum(['L', 'M', 'Q', 'H']),
    }),
    barcode: z.object({
      height: z.number().int().min(1).max(255),
      moduleWidth: z.number().int().min(2).max(6),
      hri: z.enum(['none', 'above', 'below', 'both']),
    }),
    raster: z.object({ bandRows: z.number().int().min(1).max(255) }),
    cutter: z.enum(['full', 'partial', 'none']),
    /** Extra dots fed after "feed to cutter" (GS V 65/66 n). */
    cutFeedDots: z.number().int().min(0).max(255),
    /** Blank lines before the cut, for printers whose cutter sits far from the head. */
    feedLinesBeforeCut: z.number().int().min(0).max(20),
    status: z.object({
      /** Answers DLE EOT 1..4. Without it the driver cannot know the paper state and refuses to print. */
      realtime: z.boolean(),
      /** Answers GS r 1 in order, used as "job processed" marker at the end of each job. */
      processedMarker: z.boolean(),
      /**
       * Knows the real-time clear-buffers command DLE DC4 fn=8 (Epson TM-T81/T88IV+, Citizen
       * CT-S). The driver still believes it only when the printer answers 37 25 00; without it an
       * interrupted slip's remainder is marked VOID instead.
       */
      realtimeClear: z.boolean().default(false),
    }),
  })
  .strict()
  .refine((p) => p.qr.moduleSize <= p.qr.maxModuleSize, { message: 'qr.moduleSize must be <= qr.maxModuleSize' });

export type PrinterProfile = z.infer<typeof printerProfileSchema>;

/** Half-width columns per line in font A (32 for 58 mm, 48 for 80 mm). */
export const profileColumns = (p: PrinterProfile, widthMul = 1): number => columnsFor(p.dotsPerLine, widthMul);

// Located from the project root, not import.meta.url, so it is the same from the bundles in dist/.
const dir = join(projectRoot, 'apps/agent/src/devices/printer/profiles');
const profiles = new Map<string, PrinterProfile>();

function parseProfile(raw: unknown, source = 'profile'): PrinterProfile {
  const r = printerProfileSchema.safeParse(raw);
  if (!r.success) {
    throw new Error(
      `invalid printer ${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

function loadBuiltIn(): void {
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const p = parseProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')), `profile ${f}`);
    if (`${p.name}.json` !== f) throw new Error(`printer profile ${f} is named "${p.name}"; file and name must match`);
    profiles.set(p.name, p);
  }
}
loadBuiltIn();

export function listProfiles(): PrinterProfile[] {
  return [...profiles.values()];
}

export function getProfile(name: string): PrinterProfile {
  const p = profiles.get(name);
  if (!p) throw new Error(`unknown printer profile "${name}"; known: ${[...profiles.keys()].join(', ')}`);
  return p;
}

/** Adds or replaces a profile at run time (e.g. from a vendor file outside the source tree). */
export function registerProfile(raw: unknown): PrinterProfile {
  const p = parseProfile(raw);
  profiles.set(p.name, p);
  return p;
}
