import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as fontkit from 'fontkit';
import type { MonoImage } from '@kiosk/protocol-escpos';
import { rasterizeGlyph, type GlyphSource } from '@kiosk/protocol-escpos';

export type { GlyphSource };

/**
 * Glyph images from a CJK font on this machine, for characters the printer's own font lacks
 * (profile.fontCoverage). The font is Noto Sans Mono CJK SC from Debian's fonts-noto-cjk
 * (installed by scripts/ensure-system-deps.mjs), found with fc-match; KIOSK_CJK_FONT=/path/font.ttc
 * overrides it. Loaded on first use and kept.
 */

const families = ['Noto Sans Mono CJK SC', 'Noto Sans CJK SC'];
const knownFiles = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];

interface Located {
  file: string;
  postscriptName?: string;
}

function locate(): Located | undefined {
  const override = process.env.KIOSK_CJK_FONT;
  if (override) return { file: override };
  for (const family of families) {
    try {
      const out = execFileSync('fc-match', ['-f', '%{file}\n%{postscriptname}', `${family}:style=Regular`], {
        encoding: 'utf8',
        timeout: 5000,
      });
      const [file, ps] = out.split('\n');
      // fc-match always answers with something; only a Noto CJK file is what we asked for.
      if (file && /NotoSans(Mono)?CJK/i.test(file) && existsSync(file)) return ps ? { file, postscriptName: ps } : { file };
    } catch {
      // fontconfig missing: try the known Debian path below.
    }
  }
  const known = knownFiles.find((f) => existsSync(f));
  return known ? { file: known, postscriptName: 'NotoSansMonoCJKsc-Regular' } : undefined;
}

class FontGlyphSource implements GlyphSource {
  private readonly cache = new Map<string, MonoImage | null>();
  private readonly top: number;
  constructor(
    private readonly font: fontkit.Font,
    readonly description: string,
  ) {
    // The ideographic em box: OS/2 typo ascender when it spans one em with the descender.
    const os2 = (font as unknown as { 'OS/2'?: { typoAscender?: number; typoDescender?: number } })['OS/2'];
    const a = os2?.typoAscender;
    const d = os2?.typoDescender;
    this.top = a !== undefined && d !== undefined && a - d === font.unitsPerEm ? a : font.unitsPerEm * 0.88;
  }

  glyph(ch: string, width: number, height: number): MonoImage | undefined {
    const key = `${ch}:${width}x${height}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const cp = ch.codePointAt(0)!;
    let img: MonoImage | null = null;
    if (this.font.hasGlyphForCodePoint(cp)) {
      const g = this.font.glyphForCodePoint(cp);
      img = rasterizeGlyph(
        g.path.commands,
        { unitsPerEm: this.font.unitsPerEm, top: this.top, advance: Math.min(g.advanceWidth, this.font.unitsPerEm) },
        width,
        height,
      );
    }
    this.cache.set(key, img);
    return img ?? undefined;
  }
}

let loaded: GlyphSource | null | undefined;

/** The machine's CJK glyph source, or undefined when no CJK font is installed. */
export function systemGlyphs(): GlyphSource | undefined {
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  const where = locate();
  if (!where) return undefined;
  const opened = fontkit.openSync(where.file, where.postscriptName);
  const font =
    'fonts' in opened ? (opened.fonts.find((f) => f.postscriptName === where.postscriptName) ?? opened.fonts[0]) : opened;
  if (!font) return undefined;
  loaded = new FontGlyphSource(font, `${font.postscriptName} (${where.file})`);
  return loaded;
}
