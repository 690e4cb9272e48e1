/** The scanner's wire format (pure): CR/CRLF/LF framing, partial reads, garbage, overlong, non-UTF-8; masking; HID POS. */
import { describe, expect, it } from 'vitest';
import {
  HidPosAssembler,
  ScanFramer,
  encodeScan,
  hidPosReports,
  parseHidPosReport,
  type ScanEvent,
} from '@kiosk/protocol-scanner';
import { classifyScan, maskScan } from '../../apps/agent/src/devices/scanner/personal.js';
import { Rng } from '@kiosk/synthetic';

const EID = 'EHBEID:1:0123456789ABCDEFGHIJ:0011223344556677';
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const codes = (evs: ScanEvent[]): string[] => evs.flatMap((e) => (e.type === 'code' ? [e.text] : []));

describe('scan framing', () => {
  it('one code per CR, CRLF or LF; stray terminators yield nothing', () => {
    const f = new ScanFramer();
    expect(f.push(encodeScan('ABC'))).toEqual([{ type: 'code', text: 'ABC' }]);
    expect(f.push(encodeScan('DEF', 'CRLF'))).toEqual([{ type: 'code', text: 'DEF' }]);
    expect(f.push(encodeScan('GHI', 'LF'))).toEqual([{ type: 'code', text: 'GHI' }]);
    expect(f.push(b('\r\r\n\n\r'))).toEqual([]);
    expect(f.pending).toBe(0);
  });

  it('a code split anywhere, and a CRLF split between reads, give the same code once', () => {
    const wire = Buffer.concat([encodeScan(EID, 'CRLF'), encodeScan('二维码 テスト')]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const f = new ScanFramer();
      const out = [...f.push(wire.subarray(0, cut)), ...f.push(wire.subarray(cut))];
      expect(codes(out), `cut at ${cut}`).toEqual([EID, '二维码 テスト']);
      expect(out.filter((e) => e.type === 'rejected')).toEqual([]);
    }
  });

  it('several codes in one read', () => {
    const f = new ScanFramer();
    expect(codes(f.push(b('A\rB\r\nC\n')))).toEqual(['A', 'B', 'C']);
  });

  it('bytes that are not UTF-8 are rejected, not guessed; the next code is fine', () => {
    const f = new ScanFramer();
    // GBK for 中文, as a module left in GBK output sends it.
    const out = f.push(Buffer.concat([Buffer.from([0xd6, 0xd0, 0xce, 0xc4, 0x0d]), encodeScan('OK')]));
    expect(out).toEqual([
      { type: 'rejected', reason: 'encoding', bytes: 4 },
      { type: 'code', text: 'OK' },
    ]);
  });

  it('control characters inside a line are noise: rejected', () => {
    const f = new ScanFramer();
    expect(f.push(b('AB\x00CD\r'))).toEqual([{ type: 'rejected', reason: 'control', bytes: 5 }]);
    expect(f.push(b('\x02]Q1ABC\x03\r'))[0]).toMatchObject({ type: 'rejected', reason: 'control' });
    // TAB is a legitimate separator in document codes.
    expect(codes(f.push(b('A\tB\r')))).toEqual(['A\tB']);
  });

  it('an overlong line is reported once and dropped to its terminator, the next code survives', () => {
    const f = new ScanFramer({ maxBytes: 16 });
    const out: ScanEvent[] = [];
    for (let i = 0; i < 10; i++) out.push(...f.push(b('0123456789')));
    out.push(...f.push(b('tail\rNEXT\r')));
    expect(out).toEqual([
      { type: 'rejected', reason: 'overlong', bytes: 20 },
      { type: 'code', text: 'NEXT' },
    ]);
    // Exactly the limit is still a code.
    expect(codes(f.push(b(`${'x'.repeat(16)}\r`)))).toEqual(['x'.repeat(16)]);
  });

  it('a partial code can be dropped (timeout, unplug) and is reported without its bytes', () => {
    const f = new ScanFramer();
    expect(f.push(b('EHBEID:1:ABC'))).toEqual([]);
    expect(f.pending).toBe(12);
    expect(f.dropPartial()).toEqual([{ type: 'rejected', reason: 'incomplete', bytes: 12 }]);
    expect(codes(f.push(encodeScan('X')))).toEqual(['X']);
    expect(f.dropPartial()).toEqual([]);
  });

  it('a UTF-8 BOM in front of a code is not part of it', () => {
    expect(codes(new ScanFramer().push(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encodeScan('码')])))).toEqual(['码']);
  });

  it('fuzz: random garbage never throws, never yields a code with a control character or over the limit, and a real code after a terminator survives', () => {
    const rng = new Rng('scanner-fuzz');
    for (let round = 0; round < 300; round++) {
      const f = new ScanFramer({ maxBytes: 64 });
      const garbage = Buffer.alloc(rng.int(0, 400));
      for (let i = 0; i < garbage.length; i++) garbage[i] = rng.int(0, 255);
      const wire = Buffer.concat([garbage, b('\r'), encodeScan(EID, 'CRLF')]);
      const out: ScanEvent[] = [];
      let off = 0;
      while (off < wire.length) {
        const n = rng.int(1, 40);
        out.push(...f.push(wire.subarray(off, off + n)));
        off += n;
      }
      for (const e of out) {
        if (e.type !== 'code') continue;
        const controls = [...e.text].filter((ch) => (ch < ' ' && ch !== '\t') || ch === '\x7f');
        expect(controls).toEqual([]);
        expect(Buffer.byteLength(e.text)).toBeLessThanOrEqual(64);
      }
      expect(codes(out).at(-1), `round ${round}`).toBe(EID);
      expect(f.pending).toBe(0);
    }
  });
});

describe('what looks personal is masked', () => {
  it('e-ID codes: prefix and the last four only', () => {
    expect(classifyScan(EID)).toBe('eid');
    const m = maskScan(EID);
    expect(m).toEqual({ text: `EHBEID:1:${'*'.repeat(33)}6677`, kind: 'eid', masked: true });
    expect(m.text).not.toContain('0123456789ABCDEFGHIJ');
  });

  it('ID numbers inside a code are masked 4 + 4; other codes are shown as they are', () => {
    expect(maskScan('https://x.example/q?id=421202198503120610&t=1')).toEqual({
      text: 'https://x.example/q?id=4212**********0610&t=1',
      kind: 'idNumber',
      masked: true,
    });
    expect(maskScan('42120219850312061X')).toMatchObject({ text: '4212**********061X', kind: 'idNumber' });
    expect(maskScan('6901234567892')).toEqual({ text: '6901234567892', kind: 'other', masked: false });
    // Longer digit runs (a 20-digit voucher number) are not ID numbers.
    expect(maskScan('33420250630123456789').kind).toBe('other');
  });
});

describe('HID POS reports', () => {
  it('a short code in one report; a long one over continued reports; other report IDs ignored', () => {
    const a = new HidPosAssembler();
    const [one] = hidPosReports(Buffer.from('HELLO'));
    expect(parseHidPosReport(one!)).toEqual({ data: Buffer.from('HELLO'), symbology: ']Q1', continued: false });
    expect(a.push(one!)).toEqual([Buffer.from('HELLO')]);
    const long = Buffer.from(`${EID}|${EID}|${EID}`);
    const reports = hidPosReports(long);
    expect(reports.length).toBe(3);
    const got = reports.flatMap((r) => a.push(r));
    expect(got).toEqual([long]);
    expect(a.push(Buffer.from([0x01, 0x00, 0x04]))).toEqual([]);
    expect(a.ignored).toBe(1);
  });

  it('a length byte beyond the report is malformed, not read past', () => {
    const [r] = hidPosReports(Buffer.from('AB'));
    r![1] = 200;
    expect(parseHidPosReport(r!)).toBeNull();
  });
});
