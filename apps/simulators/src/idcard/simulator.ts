/**
 * ID card reader simulator: the reader end of a socat pty pair, speaking the SAM frame protocol
 * with realistic timing (find tens of ms, read several hundred ms before the first byte, then
 * the configured line rate), plus HTTP control routes mounted at /idcard.
 */
import {
  SimulatorInputError,
  jsonRoute,
  parseControlBody,
  plugRoute,
  routerErrorHandler,
  stateRouter,
} from '../control-route.js';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import { z } from 'zod';
import { createCommandParser, createResponseParser } from '@kiosk/protocol-sam';
import { CardEncodeError, cardTypes, encodeText, nations, sexes, type CardFields } from '@kiosk/protocol-sam';
import { maskIdNumber, maskName } from '@kiosk/platform';
import { PtySimulator } from '../harness/pty-simulator.js';
import type { SimulatedDevice } from '../simulated-device.js';
import {
  findProfile,
  mulberry32,
  profiles,
  seededBytes,
  syntheticFingerprints,
  syntheticWlt,
  type CardProfile,
} from '@kiosk/synthetic';
import {
  personalityPresets,
  personalitySchema,
  resolvePersonality,
  type PersonalityInput,
  type ReaderPersonality,
} from './personality.js';
import {
  ReaderModel,
  faultKinds,
  faultTargets,
  type FaultKind,
  type FaultTarget,
  type PlacedCard,
  type Reply,
  type TimingClass,
} from './reader.js';

type LatencyRange = readonly [min: number, max: number];

export interface SimTiming {
  /** Delay before the first byte of the reply, ms, uniformly drawn from [min, max]. */
  short: LatencyRange;
  find: LatencyRange;
  select: LatencyRange;
  read: LatencyRange;
}

/** Reference §5 "suggested simulator defaults". */
export const defaultTiming: SimTiming = { short: [5, 15], find: [20, 50], select: [30, 80], read: [400, 900] };

export interface IdCardSimulatorOptions {
  agentPath: string;
  devicePath: string;
  baudRate?: number;
  /** Printed like 05.01-20101129-0001228293-0296863149. */
  samId?: string;
  timing?: Partial<SimTiming>;
  strictSequence?: boolean;
  /** Reader personality: a preset name (`no-30-05`, `slow-slide-in` …) or fields; default `standard`. */
  personality?: string | PersonalityInput;
  /** Seed for latencies, junk and fragment sizes, so a failing run can be replayed. */
  seed?: number;
}

export interface TimelineEvent {
  /** performance.now() in this process. */
  at: number;
  type: 'cardPlaced' | 'cardRemoved' | 'command' | 'replyStart' | 'replyEnd' | 'silent';
  command?: string;
  bytes?: number;
}

const DEFAULT_SAM_ID = '05.01-20240601-0000000001-0012345678';

// ---- control input schemas ----------------------------------------------------------------------

const date = z.string().regex(/^\d{4}-?\d{2}-?\d{2}$/, 'must be YYYY-MM-DD');
const fieldsSchema = z
  .object({
    cardType: z.enum(cardTypes),
    name: z.string(),
    sex: z.enum(sexes),
    nationCode: z.string().regex(/^\d{2}$/, 'must be two digits'),
    nation: z.string(),
    birthDate: date,
    address: z.string(),
    idNumber: z.string().regex(/^[0-9A-Za-z]{1,18}$/, 'must be letters/digits, at most 18'),
    issuer: z.string(),
    validFrom: date,
    validTo: z.union([date, z.literal('long-term'), z.literal('长期')]),
    permitNumber: z.string(),
    issueCount: z.string(),
    englishName: z.string(),
    nationality: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter code'),
    cardVersion: z.string(),
    renewalCount: z.string(),
    previousNumberLink: z.string(),
  })
  .partial()
  .strict();

const placeSchema = z
  .object({
    profile: z.string().min(1).optional(),
    fields: fieldsSchema.optional(),
    newestAddress: z.string().max(35).optional(),
    fingerprints: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  })
  .strict()
  .refine((b) => b.profile !== undefined || b.fields !== undefined, 'give "profile" or "fields"');

const faultSchema = z
  .object({
    kind: z.enum(faultKinds),
    count: z.number().int().min(0).max(1_000_000).default(1),
    command: z.enum(faultTargets).default('any'),
  })
  .strict();

const parseBody = parseControlBody;

export interface PlaceCardInput {
  profile?: string;
  fields?: Record<string, unknown>;
  newestAddress?: string;
  fingerprints?: 0 | 1 | 2;
}

// ---- the simulator ------------------------------------------------------------------------------

export class IdCardSimulator extends PtySimulator implements SimulatedDevice {
  readonly name = 'idcard';
  readonly reader: ReaderModel;
  private readonly parser = createCommandParser();
  private readonly timing: SimTiming;
  private readonly random: () => number;
  private queue: Array<() => Reply> = [];
  private working = false;
  /** Bumped on unplug/stop so in-flight replies stop writing. */
  private generation = 0;
  private readonly events: TimelineEvent[] = [];
  private lastReply: Buffer | undefined;

  constructor(options: IdCardSimulatorOptions) {
    super(options);
    this.timing = { ...defaultTiming, ...options.timing };
    this.random = mulberry32(options.seed ?? 0x1dca4d);
    const personality = resolvePersonality(options.personality ?? 'standard');
    this.reader = new ReaderModel({
      samId: options.samId ?? DEFAULT_SAM_ID,
      strictSequence: options.strictSequence ?? personality.strictSequence,
      personality,
    });
  }

  /** Changes the reader's personality (preset and/or fields); throws SimulatorInputError on bad input. */
  setPersonality(input: PersonalityInput | string): ReaderPersonality {
    const spec = parseBody(personalitySchema, typeof input === 'string' ? { preset: input } : input);
    try {
      this.reader.personality = resolvePersonality(spec, this.reader.personality);
    } catch (err) {
      throw new SimulatorInputError((err as Error).message);
    }
    return { ...this.reader.personality };
  }

  /** Unplugging: replies in flight are dropped. */
  protected override beforeUnplug(): void {
    this.generation += 1;
    this.queue = [];
    this.parser.reset();
  }

  /** Unplugged: the reader loses power (its SAM state starts afresh). */
  protected override afterUnplug(): void {
    this.reader.powerCycle();
  }

  // -- card control --

  /** Places a card from a profile and/or fields; throws SimulatorInputError on bad input. */
  placeCard(input: PlaceCardInput): { profile: string; cardType: string } {
    const body = parseBody(placeSchema, input);
    let base: CardProfile | undefined;
    if (body.profile !== undefined) {
      base = findProfile(body.profile);
      if (!base) {
        throw new SimulatorInputError(`unknown profile "${body.profile}"; known: ${profiles.map((p) => p.name).join(', ')}`);
      }
    }
    const fields = body.fields ?? {};
    const wantedType = fields.cardType ?? base?.card.cardType ?? 'resident';
    if (!base || base.card.cardType !== wantedType) base = profiles.find((p) => p.card.cardType === wantedType)!;
    const { nation, ...rest } = fields;
    const merged = { ...base.card, ...rest, cardType: wantedType } as Record<string, unknown>;
    if (nation !== undefined && rest.nationCode === undefined) {
      const code = Object.entries(nations).find(([, n]) => n === nation)?.[0];
      if (!code) throw new SimulatorInputError(`fields.nation: "${nation}" is not in the GB/T 3304 table`);
      merged.nationCode = code;
    }
    // Normalise dates so encodeText and state agree.
    let text: Buffer;
    try {
      text = encodeText(merged as unknown as CardFields);
    } catch (err) {
      if (err instanceof CardEncodeError) throw new SimulatorInputError(`fields: ${err.message}`);
      throw err;
    }
    const custom = body.fields !== undefined;
    const profileName = custom ? 'custom' : base.name;
    const seed = `${profileName}:${String(merged.idNumber)}`;
    const placed: PlacedCard = {
      profile: profileName,
      cardType: wantedType,
      text,
      photo: syntheticWlt(seed),
      fingerprint: syntheticFingerprints(seed, body.fingerprints ?? base.fingerprints),
      managementNumber: seededBytes(`mid:${seed}`, 24),
      ...(body.newestAddress !== undefined
        ? { newestAddress: body.newestAddress }
        : !custom && base.newestAddress
          ? { newestAddress: base.newestAddress }
          : {}),
    };
    this.reader.place(placed);
    this.record({ at: performance.now(), type: 'cardPlaced' });
    return { profile: profileName, cardType: wantedType };
  }

  removeCard(): boolean {
    const had = this.reader.remove();
    if (had) this.record({ at: performance.now(), type: 'cardRemoved' });
    return had;
  }

  injectFault(kind: FaultKind, count = 1, command: FaultTarget = 'any'): void {
    this.reader.inject(kind, count, command);
  }

  clearFaults(): void {
    this.reader.clearFaults();
  }

  state(): Record<string, unknown> {
    const card = this.reader.card;
    return {
      connected: this.isConnected,
      agentPath: this.agentPath,
      baudRate: this.baudRate,
      card: card ? { profile: card.profile, cardType: card.cardType, phase: this.reader.phase } : null,
      faults: this.reader.activeFaults(),
      strictSequence: this.reader.personality.strictSequence,
      personality: { ...this.reader.personality },
      counters: { ...this.reader.counters },
    };
  }

  /** Recent protocol events with timestamps (for the benchmark). */
  timeline(): readonly TimelineEvent[] {
    return this.events;
  }

  private record(e: TimelineEvent): void {
    this.events.push(e);
    if (this.events.length > 500) this.events.splice(0, this.events.length - 500);
  }

  // -- wire side --

  protected onData(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) {
      if (ev.type === 'frame') {
        const frame = ev.frame;
        this.record({ at: performance.now(), type: 'command', command: `${frame.cmd.toString(16)} ${frame.para.toString(16)}` });
        this.queue.push(() => this.reader.handle(frame));
      } else if (ev.error.code === 'checksum') {
        this.queue.push(() => this.reader.hostError('checksum'));
      } else if (ev.error.code === 'length') {
        this.queue.push(() => this.reader.hostError('length'));
      }
    }
    if (!this.working) void this.work();
  }

  /** One command at a time, like the SAM. */
  private async work(): Promise<void> {
    this.working = true;
    const gen = this.generation;
    try {
      while (this.queue.length > 0 && gen === this.generation) {
        const next = this.queue.shift()!;
        const reply = next();
        if (!reply.frame) {
          this.record({ at: performance.now(), type: 'silent', command: reply.command });
          continue;
        }
        await sleep(this.latency(reply.timing));
        if (gen !== this.generation) return;
        this.record({ at: performance.now(), type: 'replyStart', command: reply.command, bytes: reply.frame.length });
        if (reply.junkBefore) await this.send(this.junk(), false, gen);
        if (this.reader.personality.staleFrames) await this.send(this.staleFrame(reply.frame), false, gen);
        this.lastReply = reply.frame;
        const lastByteAt = await this.send(reply.frame, reply.fragment, gen);
        this.record({ at: lastByteAt, type: 'replyEnd', command: reply.command, bytes: reply.frame.length });
        if (reply.newBaudRate) this.baudRate = reply.newBaudRate;
      }
    } catch {
      // The pty went away mid-reply (unplug); the next plug starts clean.
    } finally {
      this.working = false;
      if (this.queue.length > 0 && gen === this.generation) void this.work();
    }
  }

  /**
   * A cut-off earlier reply: its header and part of its body, never complete. Cuts that would
   * join the reply after them into a frame with a valid checksum by chance (1 in 256 for XOR-8)
   * are not used: this personality is about resync, not about checksum collisions.
   */
  private staleFrame(reply: Buffer): Buffer {
    const readHeader = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69, 0x05, 0x08, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00]);
    for (let attempt = 0; attempt < 8; attempt++) {
      let stale: Buffer;
      const previous = this.lastReply;
      if (previous && previous.length > 9 && this.random() < 0.6) {
        const cut = 8 + Math.floor(this.random() * (previous.length - 9));
        stale = Buffer.from(previous.subarray(0, cut));
      } else {
        stale = Buffer.concat([readHeader, seededBytes(`stale:${this.random()}`, 10 + Math.floor(this.random() * 60))]);
      }
      const parser = createResponseParser();
      const frames = parser.push(Buffer.concat([stale, reply])).filter((e) => e.type === 'frame');
      if (frames.every((e) => e.type === 'frame' && e.raw.equals(reply))) return stale;
    }
    return readHeader;
  }

  private latency(cls: TimingClass): number {
    const [min, max] = this.timing[cls];
    return Math.round(min + (max - min) * this.random());
  }

  /** Line noise: random bytes, a lone partial preamble and a preamble with an impossible length. */
  private junk(): Buffer {
    const n = 3 + Math.floor(this.random() * 12);
    const noise = Buffer.alloc(n);
    for (let i = 0; i < n; i++) noise[i] = Math.floor(this.random() * 256);
    return Buffer.concat([
      noise,
      Buffer.from([0xaa, 0xaa, 0x96]),
      Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69, 0xff, 0xff]),
      Buffer.from([0x00, 0xaa]),
    ]);
  }

  /**
   * Writes at line rate: each chunk goes out when its last byte would have crossed the wire.
   * Returns when the last chunk was handed to the pty (not when its drain resolved, which in a
   * shared event loop may be after the host already handled the bytes).
   */
  private async send(bytes: Buffer, fragment: boolean, gen: number): Promise<number> {
    const msPerByte = 10_000 / this.baudRate;
    const chunkBytes = Math.max(1, Math.floor(4 / msPerByte));
    const t0 = performance.now();
    let sent = 0;
    let extra = 0;
    let lastWriteAt = t0;
    while (sent < bytes.length) {
      if (gen !== this.generation || !this.transport) return lastWriteAt;
      const size = fragment ? 1 + Math.floor(this.random() * 7) : chunkBytes;
      const chunk = bytes.subarray(sent, sent + size);
      // Now and then a short stall, as a USB-serial bridge produces; bounded so the reply still fits host timeouts.
      if (fragment && this.random() < 0.05) extra += 1 + Math.floor(this.random() * 3);
      const due = t0 + (sent + chunk.length) * msPerByte + extra;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      if (gen !== this.generation || !this.transport) return lastWriteAt;
      lastWriteAt = performance.now();
      await this.transport.write(chunk);
      sent += chunk.length;
    }
    return lastWriteAt;
  }

  // -- HTTP control --

  router(): Router {
    const r = stateRouter(this, '64kb');
    const handle = jsonRoute;
    r.get(
      '/profiles',
      handle(() => ({
        profiles: profiles.map((p) => ({
          name: p.name,
          cardType: p.card.cardType,
          description: p.description,
          // Synthetic people, but the listing still shows them the way screens do.
          maskedName: maskName(p.card.name),
          maskedIdNumber: maskIdNumber(p.card.idNumber),
        })),
      })),
    );
    r.post(
      '/card',
      handle((body) => ({ placed: this.placeCard((body ?? {}) as PlaceCardInput), state: this.state() })),
    );
    r.delete(
      '/card',
      handle(() => ({ removed: this.removeCard(), state: this.state() })),
    );
    r.post(
      '/fault',
      handle((body) => {
        const f = parseBody(faultSchema, body);
        this.injectFault(f.kind, f.count, f.command);
        return { faults: this.reader.activeFaults() };
      }),
    );
    r.delete(
      '/fault',
      handle(() => {
        this.clearFaults();
        return { faults: this.reader.activeFaults() };
      }),
    );
    r.get(
      '/personality',
      handle(() => ({
        personality: { ...this.reader.personality },
        presets: Object.fromEntries(Object.entries(personalityPresets).map(([k, v]) => [k, v.description])),
      })),
    );
    r.post(
      '/personality',
      handle((body) => ({ personality: this.setPersonality((body ?? {}) as PersonalityInput) })),
    );
    r.post('/plug', plugRoute(this));
    // JSON syntax errors inside this router answer 400 here rather than a generic 500.
    r.use(routerErrorHandler);
    return r;
  }
}

export function createIdCardSimulator(options: IdCardSimulatorOptions): IdCardSimulator {
  return new IdCardSimulator(options);
}
