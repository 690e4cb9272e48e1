/**
 * Gas IC card reader/writer simulator: the reader end of a socat pty pair speaking the framed
 * protocol of apps/agent/src/devices/gascard/protocol, with a wallet of synthetic cards (the
 * sandbox's demo IC-card accounts) that keep their purchase counters between insertions, and
 * HTTP control routes mounted at /gascard:
 *
 *   GET    /gascard                 state (card inserted, faults, counters)
 *   GET    /gascard/profiles        card profiles
 *   GET    /gascard/cards           every card seen, with its writes (tests count them)
 *   POST   /gascard/card            {"profile": "icCard"} | {"cardNo", "accountNo", "purchaseCount"}; "reset": true starts the card afresh
 *   DELETE /gascard/card            take the card out
 *   POST   /gascard/card/meter      the citizen loaded the card into the meter (clears the stored purchase)
 *   POST   /gascard/fault           {"kind": "removed-mid-write" | "write-no-reply" | "torn-write" | "no-reply", "applied"?: bool, "count"?: n}
 *                                    torn-write: counter written, balance not, card pulled (answer: card removed)
 *   DELETE /gascard/fault
 *   POST   /gascard/plug            {"connected": bool}
 *   POST   /gascard/silent          {"silent": bool}: still connected, answers nothing until set false
 */
import {
  SimulatorInputError,
  jsonRoute,
  parseControlBody,
  plugRoute,
  routerErrorHandler,
  stateRouter,
} from '../control-route.js';
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import { z } from 'zod';
import {
  CMD,
  CodecError,
  STATUS,
  decodeWriteRequest,
  encodeInfoReply,
  encodeReadReply,
  encodeStatusOnly,
  encodeStatusReply,
  encodeWriteReply,
} from '@kiosk/protocol-gascard';
import { REPLY_BIT, createFrameParser, encodeFrame, type Frame } from '@kiosk/protocol-gascard';
import { PtySimulator } from '../harness/pty-simulator.js';
import type { SimulatedDevice } from '../simulated-device.js';
import { applyTornWrite, applyWrite, cardProfiles, findCardProfile, loadIntoMeter, newCard, type SimCard } from './card.js';

/** What reached a card: a complete write or a torn one (counter only). */
export interface CardWriteEvent {
  kind: 'write' | 'torn';
  serialNo: string;
  purchaseCount: number;
}

const gasCardFaultKinds = ['removed-mid-write', 'write-no-reply', 'torn-write', 'no-reply'] as const;
export type GasCardFaultKind = (typeof gasCardFaultKinds)[number];

export interface GasCardFault {
  kind: GasCardFaultKind;
  /** For removed-mid-write / write-no-reply: whether the write took before the card left / the reply was lost. */
  applied: boolean;
  remaining: number;
}

export interface GasCardSimulatorOptions {
  agentPath: string;
  devicePath: string;
  baudRate?: number;
  /** Keeps the cards' counters across simulator restarts (the sandbox keeps the gas company's). */
  stateFile?: string;
  /** Reply delays in ms. */
  latency?: { status?: number; read?: number; write?: number };
}

const cardInputSchema = z.union([
  z.object({ profile: z.string().min(1), reset: z.boolean().optional() }).strict(),
  z
    .object({
      cardNo: z.string().regex(/^\d{6,24}$/),
      accountNo: z.string().regex(/^\d{6,20}$/),
      purchaseCount: z.number().int().min(0).max(65535).default(0),
      reset: z.boolean().optional(),
    })
    .strict(),
]);
const faultSchema = z
  .object({
    kind: z.enum(gasCardFaultKinds),
    applied: z.boolean().default(false),
    count: z.number().int().min(1).max(1000).default(1),
  })
  .strict();
const parse = parseControlBody;

const maskCard = (n: string): string => (n.length > 8 ? `${n.slice(0, 4)}${'*'.repeat(n.length - 8)}${n.slice(-4)}` : n);

export class GasCardSimulator extends PtySimulator implements SimulatedDevice {
  readonly name = 'gascard';
  private readonly stateFile: string | undefined;
  private readonly latency: { status: number; read: number; write: number };
  private readonly parser = createFrameParser();
  private generation = 0;
  private queue: Frame[] = [];
  private working = false;
  readonly wallet = new Map<string, SimCard>();
  private insertedNo: string | null = null;
  private faults: GasCardFault[] = [];
  private silent = false;
  readonly counters = { commands: 0, reads: 0, writes: 0, writesApplied: 0, tornWrites: 0, badFrames: 0 };
  /**
   * Called synchronously the moment a write changed a card, before any answer goes back (the
   * crash campaign kills the agent here: card written, kiosk not yet told).
   */
  onCardWrite: ((e: CardWriteEvent) => void) | undefined;

  constructor(options: GasCardSimulatorOptions) {
    super(options);
    this.stateFile = options.stateFile;
    this.latency = { status: 3, read: 30, write: 120, ...options.latency };
    this.load();
  }

  // ---- life cycle ---------------------------------------------------------------------------------

  /** Unplugging: replies in flight are dropped. */
  protected override beforeUnplug(): void {
    this.generation += 1;
    this.queue = [];
    this.parser.reset();
  }

  // ---- cards --------------------------------------------------------------------------------------

  get inserted(): SimCard | null {
    return this.insertedNo ? (this.wallet.get(this.insertedNo) ?? null) : null;
  }

  /** Puts a card in the reader; a card seen before keeps its counter unless `reset`. */
  insertCard(input: unknown): SimCard {
    const body = parse(cardInputSchema, input);
    let base: { cardNo: string; accountNo: string; purchaseCount: number };
    if ('profile' in body) {
      const p = findCardProfile(body.profile);
      if (!p)
        throw new SimulatorInputError(`unknown profile "${body.profile}"; known: ${cardProfiles.map((c) => c.name).join(', ')}`);
      base = p;
    } else base = body;
    let card = this.wallet.get(base.cardNo);
    if (!card || body.reset) {
      card = newCard(base);
      this.wallet.set(card.cardNo, card);
    }
    this.insertedNo = card.cardNo;
    this.save();
    return card;
  }

  removeCard(): boolean {
    const had = this.insertedNo !== null;
    this.insertedNo = null;
    return had;
  }

  loadIntoMeter(): boolean {
    const c = this.inserted;
    if (!c) return false;
    loadIntoMeter(c);
    this.save();
    return true;
  }

  injectFault(input: unknown): GasCardFault[] {
    const f = parse(faultSchema, input);
    this.faults.push({ kind: f.kind, applied: f.applied, remaining: f.count });
    return this.faults.map((x) => ({ ...x }));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Connected but answering nothing (hung firmware), until switched back. */
  setSilent(silent: boolean): void {
    this.silent = silent;
  }

  /** Writes that took for this serial number, on any card. */
  writesFor(serialNo: string): number {
    let n = 0;
    for (const c of this.wallet.values()) n += c.writes.filter((w) => w.serialNo === serialNo).length;
    return n;
  }

  state(): Record<string, unknown> {
    const c = this.inserted;
    return {
      connected: this.isConnected,
      silent: this.silent,
      agentPath: this.agentPath,
      card: c
        ? {
            cardNoMasked: maskCard(c.cardNo),
            purchaseCount: c.purchaseCount,
            storedPurchase: c.storedPurchase,
            writes: c.writes.length,
            tornWrites: c.torn.length,
          }
        : null,
      faults: this.faults.map((f) => ({ ...f })),
      counters: { ...this.counters },
    };
  }

  private takeFault(kinds: readonly GasCardFaultKind[]): GasCardFault | undefined {
    const f = this.faults.find((x) => kinds.includes(x.kind));
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    return { ...f };
  }

  private load(): void {
    if (!this.stateFile) return;
    try {
      const saved = JSON.parse(readFileSync(this.stateFile, 'utf8')) as { cards: SimCard[] };
      for (const c of saved.cards) this.wallet.set(c.cardNo, { ...c, torn: c.torn ?? [] });
    } catch {
      // No saved cards yet.
    }
  }

  private save(): void {
    if (!this.stateFile) return;
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ cards: [...this.wallet.values()] }, null, 2));
    renameSync(tmp, this.stateFile);
  }

  // ---- wire ---------------------------------------------------------------------------------------

  protected onData(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) {
      if (ev.type === 'frame') this.queue.push(ev.frame);
      else {
        this.counters.badFrames += 1;
        if (ev.error.seq !== null) this.queue.push({ seq: ev.error.seq, cmd: 0x7e, data: new Uint8Array(0) });
      }
    }
    if (!this.working) void this.work();
  }

  private async work(): Promise<void> {
    this.working = true;
    const gen = this.generation;
    try {
      while (this.queue.length > 0 && gen === this.generation) {
        const frame = this.queue.shift() as Frame;
        const reply = await this.handle(frame, gen);
        if (!reply || gen !== this.generation || !this.transport) continue;
        await this.transport.write(encodeFrame({ seq: frame.seq, cmd: frame.cmd | REPLY_BIT, data: reply }));
      }
    } catch {
      // The pty went away mid-reply (unplug); the next plug starts clean.
    } finally {
      this.working = false;
      if (this.queue.length > 0 && gen === this.generation) void this.work();
    }
  }

  /** One command; null = stay silent. */
  private async handle(frame: Frame, gen: number): Promise<Buffer | null> {
    this.counters.commands += 1;
    if (frame.cmd === 0x7e) return encodeStatusOnly(STATUS.badFrame);
    if (this.silent) return null;
    if (this.takeFault(['no-reply'])) return null;
    switch (frame.cmd) {
      case CMD.info:
        return encodeInfoReply('SIM-GASCARD-1', '1.0.0');
      case CMD.status:
        await sleep(this.latency.status);
        return encodeStatusReply(this.inserted !== null);
      case CMD.read: {
        this.counters.reads += 1;
        await sleep(this.latency.read);
        const c = this.inserted;
        if (!c) return encodeStatusOnly(STATUS.noCard);
        return encodeReadReply({
          cardNo: c.cardNo,
          accountNo: c.accountNo,
          purchaseCount: c.purchaseCount,
          storedPurchase: c.storedPurchase,
        });
      }
      case CMD.write: {
        this.counters.writes += 1;
        let w;
        try {
          w = decodeWriteRequest(frame.data);
        } catch (err) {
          if (err instanceof CodecError) return encodeStatusOnly(STATUS.badFrame);
          throw err;
        }
        const c = this.inserted;
        if (!c) return encodeWriteReply(STATUS.noCard, 0);
        const fault = this.takeFault(['removed-mid-write', 'write-no-reply', 'torn-write']);
        await sleep(this.latency.write / 2);
        if (gen !== this.generation) return null;
        if (fault?.kind === 'torn-write') {
          // The counter block took, the balance block did not, and the card left the field.
          if (applyTornWrite(c, w, new Date())) {
            this.counters.tornWrites += 1;
            this.save();
            this.onCardWrite?.({ kind: 'torn', serialNo: w.serialNo, purchaseCount: w.purchaseCount });
          }
          this.removeCard();
          await sleep(this.latency.write / 2);
          return encodeWriteReply(STATUS.cardRemoved, 0);
        }
        if (fault) {
          if (fault.applied) this.apply(c, w);
          if (fault.kind === 'write-no-reply') return null;
          this.removeCard();
          await sleep(this.latency.write / 2);
          return encodeWriteReply(STATUS.cardRemoved, 0);
        }
        const r = this.apply(c, w);
        await sleep(this.latency.write / 2);
        const status = {
          ok: STATUS.ok,
          counterMismatch: STATUS.counterMismatch,
          cardMismatch: STATUS.cardMismatch,
          macRejected: STATUS.macRejected,
        }[r.status];
        return encodeWriteReply(status, r.purchaseCount);
      }
      default:
        return encodeStatusOnly(STATUS.unknownCommand);
    }
  }

  private apply(c: SimCard, w: ReturnType<typeof decodeWriteRequest>): ReturnType<typeof applyWrite> {
    const r = applyWrite(c, w, new Date());
    if (r.status === 'ok') {
      this.counters.writesApplied += 1;
      this.save();
      this.onCardWrite?.({ kind: 'write', serialNo: w.serialNo, purchaseCount: r.purchaseCount });
    }
    return r;
  }

  // ---- HTTP control -------------------------------------------------------------------------------

  router(): Router {
    const r = stateRouter(this, '16kb');
    const handle = jsonRoute;
    r.get(
      '/profiles',
      handle(() => ({ profiles: cardProfiles.map((p) => ({ ...p, cardNo: maskCard(p.cardNo) })) })),
    );
    r.get(
      '/cards',
      handle(() => ({ cards: [...this.wallet.values()].map((c) => ({ ...c, cardNo: maskCard(c.cardNo) })) })),
    );
    r.post(
      '/card',
      handle((body) => {
        const c = this.insertCard(body);
        return { inserted: { cardNoMasked: maskCard(c.cardNo), purchaseCount: c.purchaseCount }, state: this.state() };
      }),
    );
    r.delete(
      '/card',
      handle(() => ({ removed: this.removeCard(), state: this.state() })),
    );
    r.post(
      '/card/meter',
      handle(() => ({ loaded: this.loadIntoMeter(), state: this.state() })),
    );
    r.post(
      '/fault',
      handle((body) => ({ faults: this.injectFault(body) })),
    );
    r.post(
      '/silent',
      handle((body) => {
        this.setSilent(parse(z.object({ silent: z.boolean() }).strict(), body).silent);
        return this.state();
      }),
    );
    r.delete(
      '/fault',
      handle(() => {
        this.clearFaults();
        return { faults: [] };
      }),
    );
    r.post('/plug', plugRoute(this));
    r.use(routerErrorHandler);
    return r;
  }
}

export function createGasCardSimulator(options: GasCardSimulatorOptions): GasCardSimulator {
  return new GasCardSimulator(options);
}
