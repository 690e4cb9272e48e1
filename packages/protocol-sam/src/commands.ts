/**
 * Every command of the SAM protocol the reference documents, as frames, plus decoders and
 * encoders for their response data. Pure: the simulator uses the encoders, the driver the decoders.
 */
import { buildCommandFrame, type DecodeResult } from './frame.js';
import { SW3 } from './status.js';

export type CommandName =
  | 'resetSam'
  | 'samStatus'
  | 'samId'
  | 'findCard'
  | 'selectCard'
  | 'readBase'
  | 'readNewestAddress'
  | 'readManagementNumber'
  | 'readBaseWithFingerprint'
  | 'setBaudRate'
  | 'setMaxRfBytes';

export interface SamCommand {
  name: CommandName;
  cmd: number;
  para: number;
  data: Buffer;
  /** SW3 that means success (find answers 9F, everything else 90). */
  successSw3: number;
  /** `read` commands involve RF transfer + SAM decryption and take several hundred ms. */
  timing: 'short' | 'read';
  zh: string;
  en: string;
  /** The whole frame to write. */
  frame: Buffer;
}

function def(
  name: CommandName,
  cmd: number,
  para: number,
  zh: string,
  en: string,
  opts: { data?: Uint8Array; successSw3?: number; timing?: 'short' | 'read' } = {},
): SamCommand {
  const data = Buffer.from(opts.data ?? []);
  return {
    name,
    cmd,
    para,
    data,
    successSw3: opts.successSw3 ?? SW3.SUCCESS,
    timing: opts.timing ?? 'short',
    zh,
    en,
    frame: buildCommandFrame(cmd, para, data),
  };
}

export const commands = {
  resetSam: def('resetSam', 0x10, 0xff, '复位 SAM', 'reset SAM'),
  samStatus: def('samStatus', 0x11, 0xff, 'SAM 状态检测', 'SAM status / self-test'),
  samId: def('samId', 0x12, 0xff, '读 SAM 管理信息（安全模块号）', 'read SAM ID'),
  findCard: def('findCard', 0x20, 0x01, '寻找证/卡', 'find card', { successSw3: SW3.FIND_SUCCESS }),
  selectCard: def('selectCard', 0x20, 0x02, '选取证/卡', 'select card'),
  readBase: def('readBase', 0x30, 0x01, '读固定信息（文字+照片）', 'read text + photo', { timing: 'read' }),
  readNewestAddress: def('readNewestAddress', 0x30, 0x03, '读最新住址信息', 'read newest appended address', {
    timing: 'read',
  }),
  /** Layout of the reply is not verified (reference §2.1); the data is passed on raw. */
  readManagementNumber: def('readManagementNumber', 0x30, 0x05, '读卡体管理号', 'read card body management number', {
    timing: 'read',
  }),
  readBaseWithFingerprint: def(
    'readBaseWithFingerprint',
    0x30,
    0x10,
    '读固定信息（文字+照片+指纹）',
    'read text + photo + fingerprint',
    { timing: 'read' },
  ),
} as const satisfies Record<string, SamCommand>;

/** UART rates selectable with `60 xx`, in Para order. */
export const baudRates = [115200, 57600, 38400, 19200, 9600] as const;
export type BaudRate = (typeof baudRates)[number];

export function isBaudRate(n: number): n is BaudRate {
  return (baudRates as readonly number[]).includes(n);
}

/** `60 xx`: 00 = 115200 … 04 = 9600. The reply probably comes at the old rate (reference §2.1 [?]). */
export function setBaudRateCommand(rate: BaudRate): SamCommand {
  const para = baudRates.indexOf(rate);
  return def('setBaudRate', 0x60, para, `设置串口波特率 ${rate}`, `set UART baud rate ${rate}`);
}

/** `61 FF n`: largest RF frame between SAM and RF module (hev sends 0x50). */
export function setMaxRfBytesCommand(n: number): SamCommand {
  if (!Number.isInteger(n) || n < 1 || n > 0xff) throw new RangeError(`max RF bytes must be 1..255, got ${n}`);
  return def('setMaxRfBytes', 0x61, 0xff, `设置射频适配最大通信字节数 ${n}`, `set max RF frame bytes ${n}`, {
    data: Uint8Array.of(n),
  });
}

/** Which command a received CMD/Para pair is (the simulator's dispatch). */
export function identifyCommand(cmd: number, para: number): CommandName | undefined {
  for (const c of Object.values(commands)) if (c.cmd === cmd && c.para === para) return c.name;
  if (cmd === 0x60 && para < baudRates.length) return 'setBaudRate';
  if (cmd === 0x61 && para === 0xff) return 'setMaxRfBytes';
  return undefined;
}

function malformed<T>(message: string, discarded = 0): DecodeResult<T> {
  return { ok: false, error: { code: 'malformed', message, discarded } };
}

// ---- SAM ID (12 FF) ---------------------------------------------------------------------------

export const SAM_ID_BYTES = 16;

/**
 * 16 bytes read as u16le A | u16le B | u32le C | u32le D | u32le E, printed
 * `%02d.%02d-%d-%010u-%010u`, e.g. `05.01-20101129-0001228293-0296863149`.
 */
export function decodeSamId(data: Uint8Array): DecodeResult<string> {
  if (data.length !== SAM_ID_BYTES) return malformed(`SAM ID must be 16 bytes, got ${data.length}`);
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const a = b.readUInt16LE(0);
  const bb = b.readUInt16LE(2);
  const c = b.readUInt32LE(4);
  const d = b.readUInt32LE(8);
  const e = b.readUInt32LE(12);
  const two = (n: number): string => String(n).padStart(2, '0');
  const ten = (n: number): string => String(n).padStart(10, '0');
  return { ok: true, value: `${two(a)}.${two(bb)}-${c}-${ten(d)}-${ten(e)}` };
}

/** Inverse of decodeSamId, for the simulator. */
export function encodeSamId(text: string): Buffer {
  const m = /^(\d{1,5})\.(\d{1,5})-(\d{1,10})-(\d{1,10})-(\d{1,10})$/.exec(text);
  if (!m) throw new Error(`SAM ID "${text}" is not like 05.01-20101129-0001228293-0296863149`);
  const out = Buffer.alloc(SAM_ID_BYTES);
  out.writeUInt16LE(Number(m[1]), 0);
  out.writeUInt16LE(Number(m[2]), 2);
  out.writeUInt32LE(Number(m[3]), 4);
  out.writeUInt32LE(Number(m[4]), 8);
  out.writeUInt32LE(Number(m[5]), 12);
  return out;
}

// ---- find / select (20 01, 20 02) -------------------------------------------------------------

/** 9F + 4-byte 证/卡芯片管理号 (all zeros in every public trace). */
export function decodeFindCard(data: Uint8Array): DecodeResult<{ managementNumber: Buffer }> {
  if (data.length !== 4) return malformed(`find-card data must be 4 bytes, got ${data.length}`);
  return { ok: true, value: { managementNumber: Buffer.from(data) } };
}

/** 90 + 8-byte 证/卡芯片序列号. */
export function decodeSelectCard(data: Uint8Array): DecodeResult<{ serialNumber: Buffer }> {
  if (data.length !== 8) return malformed(`select-card data must be 8 bytes, got ${data.length}`);
  return { ok: true, value: { serialNumber: Buffer.from(data) } };
}

// ---- read (30 01, 30 10) ----------------------------------------------------------------------

export const TEXT_BYTES = 256;
export const PHOTO_BYTES = 1024;
export const FINGERPRINT_TEMPLATE_BYTES = 512;

export interface ReadBaseData {
  /** 256-byte UCS-2LE text block; decode with text.ts. */
  text: Buffer;
  /** 1024-byte WLT photo, still compressed. */
  photo: Buffer;
}

export interface ReadFullData extends ReadBaseData {
  /** 0, 512 or 1024 bytes: up to two 512-byte templates. */
  fingerprint: Buffer;
}

function readBlocks(data: Uint8Array, lengths: number): DecodeResult<Buffer[]> {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = 2 * lengths;
  if (b.length < header) return malformed(`read data is ${b.length} bytes, shorter than its length header`);
  const sizes: number[] = [];
  for (let i = 0; i < lengths; i++) sizes.push(b.readUInt16BE(2 * i));
  const total = header + sizes.reduce((a, n) => a + n, 0);
  if (total !== b.length) {
    return malformed(`read data announces ${sizes.join('+')} bytes but carries ${b.length - header}`);
  }
  const blocks: Buffer[] = [];
  let off = header;
  for (const n of sizes) {
    blocks.push(Buffer.from(b.subarray(off, off + n)));
    off += n;
  }
  return { ok: true, value: blocks };
}

/** 30 01 → `01 00` `04 00` + 256 text + 1024 WLT (lengths big-endian). */
export function decodeReadBase(data: Uint8Array): DecodeResult<ReadBaseData> {
  const r = readBlocks(data, 2);
  if (!r.ok) return r;
  const [text, photo] = r.value as [Buffer, Buffer];
  if (text.length !== TEXT_BYTES) return malformed(`text block is ${text.length} bytes, expected 256`);
  if (photo.length !== PHOTO_BYTES) return malformed(`photo block is ${photo.length} bytes, expected 1024`);
  return { ok: true, value: { text, photo } };
}

/** 30 10 → text len, photo len, fingerprint len (each u16be) + the three blocks. */
export function decodeReadFull(data: Uint8Array): DecodeResult<ReadFullData> {
  const r = readBlocks(data, 3);
  if (!r.ok) return r;
  const [text, photo, fingerprint] = r.value as [Buffer, Buffer, Buffer];
  if (text.length !== TEXT_BYTES) return malformed(`text block is ${text.length} bytes, expected 256`);
  if (photo.length !== PHOTO_BYTES) return malformed(`photo block is ${photo.length} bytes, expected 1024`);
  if (fingerprint.length % FINGERPRINT_TEMPLATE_BYTES !== 0 || fingerprint.length > 2 * FINGERPRINT_TEMPLATE_BYTES) {
    return malformed(`fingerprint block is ${fingerprint.length} bytes, expected 0, 512 or 1024`);
  }
  return { ok: true, value: { text, photo, fingerprint } };
}

function lengthPrefixed(blocks: Uint8Array[]): Buffer {
  const header = Buffer.alloc(2 * blocks.length);
  blocks.forEach((b, i) => header.writeUInt16BE(b.length, 2 * i));
  return Buffer.concat([header, ...blocks]);
}

export function encodeReadBase(text: Uint8Array, photo: Uint8Array): Buffer {
  return lengthPrefixed([text, photo]);
}

export function encodeReadFull(text: Uint8Array, photo: Uint8Array, fingerprint: Uint8Array): Buffer {
  return lengthPrefixed([text, photo, fingerprint]);
}

export interface FingerprintTemplateInfo {
  /** 0x43 'C' when a template is present. */
  valid: boolean;
  algorithmVersion: number;
  collectorCode: number;
  vendorCode: number;
  /** 01 ok / 02 failed / 03 not enrolled / 09 unknown. */
  enrolment: 'ok' | 'failed' | 'notEnrolled' | 'unknown';
  /** 0x0B–0x0F right thumb…little, 0x10–0x14 left thumb…little, 0x61–0x63 uncertain. */
  fingerCode: number;
  quality: number;
}

/** Header fields of each 512-byte template; the template content is opaque. */
export function describeFingerprints(block: Uint8Array): FingerprintTemplateInfo[] {
  const out: FingerprintTemplateInfo[] = [];
  for (let off = 0; off + FINGERPRINT_TEMPLATE_BYTES <= block.length; off += FINGERPRINT_TEMPLATE_BYTES) {
    const t = block.subarray(off, off + 7);
    const e = t[4];
    out.push({
      valid: t[0] === 0x43,
      algorithmVersion: t[1]!,
      collectorCode: t[2]!,
      vendorCode: t[3]!,
      enrolment: e === 1 ? 'ok' : e === 2 ? 'failed' : e === 3 ? 'notEnrolled' : 'unknown',
      fingerCode: t[5]!,
      quality: t[6]!,
    });
  }
  return out;
}

// ---- newest address (30 03) -------------------------------------------------------------------

export const NEWEST_ADDRESS_BYTES = 70;

/** 90 + 70 bytes UCS-2LE, space padded. */
export function decodeNewestAddress(data: Uint8Array): DecodeResult<string> {
  if (data.length !== NEWEST_ADDRESS_BYTES) {
    return malformed(`newest address must be 70 bytes, got ${data.length}`);
  }
  // NUL and space pad the field on both sides (GA 467 fixed-length text).
  /* eslint-disable no-control-regex -- NUL padding is what the reader sends */
  const text = Buffer.from(data)
    .toString('utf16le')
    .replace(/[\u0000\u0020]+$/u, '')
    .replace(/^[\u0000\u0020]+/u, '');
  /* eslint-enable no-control-regex */
  return { ok: true, value: text };
}
