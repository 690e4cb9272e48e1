/**
 * Commands and replies of the simulated gas card reader/writer, both directions (the host driver
 * and the simulator share this codec). Pure. Strings are ASCII with a one-byte length; integers
 * are big-endian; volumes travel in hundredths of m³; the MAC as 8 raw bytes.
 *
 *   0x01 STATUS  → [status][present 0|1]
 *   0x02 READ    → [status][cardNo][accountNo][count u16][stored 0|1][amountFen u32][centiM3 u32]
 *   0x03 WRITE   [cardNo][target u16][amountFen u32][centiM3 u32][mac 8][serialNo]
 *                → [status][count u16]  (the card's counter after the command)
 *   0x04 INFO    → [status][model][firmware]
 */
import type { GasCardData, GasCardWrite } from './types.js';

export const CMD = { status: 0x01, read: 0x02, write: 0x03, info: 0x04 } as const;
export type CommandName = keyof typeof CMD;

export const STATUS = {
  ok: 0x00,
  noCard: 0x01,
  cardMismatch: 0x02,
  counterMismatch: 0x03,
  alreadyWritten: 0x04,
  /** The card left the field during the write: the write may or may not have taken. */
  cardRemoved: 0x05,
  macRejected: 0x06,
  cardError: 0x07,
  badFrame: 0x7e,
  unknownCommand: 0x7f,
} as const;
export type StatusName = keyof typeof STATUS;

export function statusName(code: number): StatusName | 'unknown' {
  const e = Object.entries(STATUS).find(([, v]) => v === code);
  return e ? (e[0] as StatusName) : 'unknown';
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

// ---- primitive writer / reader ------------------------------------------------------------------

class Writer {
  private parts: Buffer[] = [];
  str(s: string): this {
    const b = Buffer.from(s, 'ascii');
    if (b.length > 255 || !/^[\x20-\x7e]*$/.test(s)) throw new CodecError(`string field must be printable ASCII ≤ 255 bytes`);
    this.parts.push(Buffer.from([b.length]), b);
    return this;
  }
  u8(n: number): this {
    this.parts.push(Buffer.from([n & 0xff]));
    return this;
  }
  u16(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new CodecError(`u16 out of range: ${n}`);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.parts.push(b);
    return this;
  }
  u32(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new CodecError(`u32 out of range: ${n}`);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly b: Buffer) {}
  private need(n: number): void {
    if (this.at + n > this.b.length)
      throw new CodecError(`truncated: need ${n} byte(s) at ${this.at}, have ${this.b.length - this.at}`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.b.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  str(): string {
    const n = this.u8();
    this.need(n);
    const s = this.b.toString('ascii', this.at, this.at + n);
    this.at += n;
    return s;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return Buffer.from(v);
  }
  end(): void {
    if (this.at !== this.b.length) throw new CodecError(`${this.b.length - this.at} unexpected trailing byte(s)`);
  }
}

const centi = (m3: number): number => Math.round(m3 * 100);

// ---- host → reader ------------------------------------------------------------------------------

export function encodeWriteRequest(w: GasCardWrite): Buffer {
  if (!/^[0-9A-Fa-f]{16}$/.test(w.mac)) throw new CodecError('mac must be 16 hex digits');
  return new Writer()
    .str(w.cardNo)
    .u16(w.purchaseCount)
    .u32(w.amountFen)
    .u32(centi(w.volumeM3))
    .bytes(Buffer.from(w.mac, 'hex'))
    .str(w.serialNo)
    .done();
}

export function decodeWriteRequest(data: Uint8Array): GasCardWrite {
  const r = new Reader(Buffer.from(data));
  const cardNo = r.str();
  const purchaseCount = r.u16();
  const amountFen = r.u32();
  const volumeM3 = r.u32() / 100;
  const mac = r.bytes(8).toString('hex').toUpperCase();
  const serialNo = r.str();
  r.end();
  return { cardNo, purchaseCount, amountFen, volumeM3, mac, serialNo };
}

// ---- reader → host ------------------------------------------------------------------------------

export function encodeStatusReply(present: boolean): Buffer {
  return new Writer()
    .u8(STATUS.ok)
    .u8(present ? 1 : 0)
    .done();
}

export function encodeReadReply(card: GasCardData): Buffer {
  const s = card.storedPurchase;
  return new Writer()
    .u8(STATUS.ok)
    .str(card.cardNo)
    .str(card.accountNo)
    .u16(card.purchaseCount)
    .u8(s ? 1 : 0)
    .u32(s ? s.amountFen : 0)
    .u32(s ? centi(s.volumeM3) : 0)
    .done();
}

export function encodeWriteReply(status: number, purchaseCount: number): Buffer {
  return new Writer().u8(status).u16(purchaseCount).done();
}

export function encodeInfoReply(model: string, firmware: string): Buffer {
  return new Writer().u8(STATUS.ok).str(model).str(firmware).done();
}

/** Any command answered with just a status (errors). */
export function encodeStatusOnly(status: number): Buffer {
  return Buffer.from([status]);
}

export function replyStatus(data: Uint8Array): number {
  if (data.length < 1) throw new CodecError('reply without a status byte');
  return data[0] as number;
}

export function decodeStatusReply(data: Uint8Array): { present: boolean } {
  const r = new Reader(Buffer.from(data));
  const status = r.u8();
  if (status !== STATUS.ok) throw new CodecError(`status reply with status ${statusName(status)}`);
  const present = r.u8();
  r.end();
  if (present > 1) throw new CodecError(`presence byte ${present}`);
  return { present: present === 1 };
}

/** The card data of an OK read reply (check replyStatus first). */
export function decodeReadReply(data: Uint8Array): GasCardData {
  const r = new Reader(Buffer.from(data));
  const status = r.u8();
  if (status !== STATUS.ok) throw new CodecError(`read reply with status ${statusName(status)}`);
  const cardNo = r.str();
  const accountNo = r.str();
  const purchaseCount = r.u16();
  const stored = r.u8();
  const amountFen = r.u32();
  const volume = r.u32();
  r.end();
  if (stored > 1) throw new CodecError(`stored flag ${stored}`);
  return { cardNo, accountNo, purchaseCount, storedPurchase: stored ? { amountFen, volumeM3: volume / 100 } : null };
}

export function decodeWriteReply(data: Uint8Array): { status: number; purchaseCount: number } {
  const r = new Reader(Buffer.from(data));
  const status = r.u8();
  const purchaseCount = r.u16();
  r.end();
  return { status, purchaseCount };
}

export function decodeInfoReply(data: Uint8Array): { model: string; firmware: string } {
  const r = new Reader(Buffer.from(data));
  const status = r.u8();
  if (status !== STATUS.ok) throw new CodecError(`info reply with status ${statusName(status)}`);
  const model = r.str();
  const firmware = r.str();
  r.end();
  return { model, firmware };
}
