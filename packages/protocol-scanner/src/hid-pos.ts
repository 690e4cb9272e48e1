/**
 * USB HID POS (HID usage page 0x8C, "Bar Code Scanner"): the mode a scanner uses when it is not a
 * keyboard wedge and not a serial port. Pure: input reports in, code bytes out.
 *
 * Layout of the "scanned data" input report as Honeywell and most module vendors lay it out
 * (usages Decoded Data 0xFE, Symbology Identifier 1–3 0xFB–0xFD, Decode Data Continued 0xFF):
 *
 *   byte 0     report ID 0x02
 *   byte 1     number of data bytes in this report (0–56)
 *   bytes 2–4  symbology identifier (AIM ID such as `]Q1`, or vendor codes) [?]
 *   bytes 5–60 decoded data, zero padded
 *   byte 63    bit 0: more data follows in the next report (codes longer than 56 bytes)
 *
 * The offsets vary between vendors [?]: they are options, defaulted to the layout above. node-hid
 * puts the report ID in front of the data on devices with numbered reports, which is assumed.
 * No report recorded from a real scanner was available; tests use reports built to this layout.
 */

export interface HidPosLayout {
  reportId: number;
  lengthOffset: number;
  symbologyOffset: number;
  symbologyBytes: number;
  dataOffset: number;
  maxData: number;
  /** Byte holding the "continued" flag (bit 0). */
  continuedOffset: number;
}

export const defaultHidPosLayout: HidPosLayout = {
  reportId: 0x02,
  lengthOffset: 1,
  symbologyOffset: 2,
  symbologyBytes: 3,
  dataOffset: 5,
  maxData: 56,
  continuedOffset: 63,
};

export interface HidPosReport {
  data: Buffer;
  symbology: string;
  continued: boolean;
}

/** One report, or null when it is not a scanned-data report or is malformed. */
export function parseHidPosReport(report: Uint8Array, layout: HidPosLayout = defaultHidPosLayout): HidPosReport | null {
  if (report.length <= layout.dataOffset || report[0] !== layout.reportId) return null;
  const n = report[layout.lengthOffset] ?? 0;
  if (n > layout.maxData || layout.dataOffset + n > report.length) return null;
  const sym = Buffer.from(report.subarray(layout.symbologyOffset, layout.symbologyOffset + layout.symbologyBytes));
  return {
    data: Buffer.from(report.subarray(layout.dataOffset, layout.dataOffset + n)),
    symbology: sym.toString('latin1').replace(/\0+$/, ''),
    continued: ((report[layout.continuedOffset] ?? 0) & 0x01) === 1,
  };
}

/** Joins continued reports into whole codes; yields each code's bytes once complete. */
export class HidPosAssembler {
  private parts: Buffer[] = [];
  private size = 0;
  /** Reports that were not scanned-data reports (other report IDs, malformed). */
  ignored = 0;
  /** Codes dropped for being longer than maxBytes. */
  overlong = 0;

  constructor(
    private readonly layout: HidPosLayout = defaultHidPosLayout,
    private readonly maxBytes = 3000,
  ) {}

  push(report: Uint8Array): Buffer[] {
    const r = parseHidPosReport(report, this.layout);
    if (!r) {
      this.ignored += 1;
      return [];
    }
    if (this.size + r.data.length <= this.maxBytes) {
      this.parts.push(r.data);
      this.size += r.data.length;
    } else {
      // Too long: nothing of it is kept or delivered.
      this.size = this.maxBytes + 1;
      this.parts = [];
    }
    if (r.continued) return [];
    const whole = this.size > this.maxBytes ? null : Buffer.concat(this.parts);
    if (!whole) this.overlong += 1;
    this.parts = [];
    this.size = 0;
    return whole && whole.length > 0 ? [whole] : [];
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
  }
}

/** Builds the reports a scanner sends for one code (tests, simulators). */
export function hidPosReports(data: Uint8Array, symbology = ']Q1', layout: HidPosLayout = defaultHidPosLayout): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  do {
    const n = Math.min(layout.maxData, data.length - off);
    const r = Buffer.alloc(Math.max(layout.continuedOffset + 1, layout.dataOffset + layout.maxData));
    r[0] = layout.reportId;
    r[layout.lengthOffset] = n;
    Buffer.from(symbology, 'latin1').copy(r, layout.symbologyOffset, 0, layout.symbologyBytes);
    Buffer.from(data.subarray(off, off + n)).copy(r, layout.dataOffset);
    off += n;
    if (off < data.length) r[layout.continuedOffset] = 0x01;
    out.push(r);
  } while (off < data.length);
  return out;
}
