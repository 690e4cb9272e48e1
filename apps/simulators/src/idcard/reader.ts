/**
 * The reader's brain: what a SAM reader answers to each command, given the card on it, its
 * phase and the injected faults. No I/O and no timers; the simulator (simulator.ts) puts the
 * answers on the pty with realistic timing.
 */
import { buildResponseFrame, type CommandFrame } from '@kiosk/protocol-sam';
import {
  NEWEST_ADDRESS_BYTES,
  baudRates,
  encodeReadBase,
  encodeReadFull,
  encodeSamId,
  identifyCommand,
  type CommandName,
} from '@kiosk/protocol-sam';
import { SW3 } from '@kiosk/protocol-sam';
import type { CardType } from '@kiosk/protocol-sam';
import { standardPersonality, type ReaderPersonality } from './personality.js';

export const faultKinds = ['no-sam', 'bad-checksum', 'removed-mid-read', 'junk', 'fragment', 'silent'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** Which commands a fault applies to (default: any). */
export const faultTargets = ['any', 'status', 'samId', 'find', 'select', 'read'] as const;
export type FaultTarget = (typeof faultTargets)[number];

export interface PlacedCard {
  /** Profile name, or `custom` for cards built from fields. */
  profile: string;
  cardType: CardType;
  text: Buffer;
  photo: Buffer;
  fingerprint: Buffer;
  newestAddress?: string;
  /** 8-byte IC serial + 16-byte card serial (卡体管理号 layout per GA/T 490 [?]). */
  managementNumber: Buffer;
}

/**
 * `present`: in the field, not yet found. `found`/`selected`: after 20 01 / 20 02.
 * `read`: after a successful read; find fails until the card leaves the field (reference §2.2).
 */
export type CardPhase = 'absent' | 'present' | 'found' | 'selected' | 'read';

export type TimingClass = 'short' | 'find' | 'select' | 'read';

export interface Reply {
  /** Null: say nothing (silent fault). */
  frame: Buffer | null;
  timing: TimingClass;
  command: CommandName | 'unknown' | 'hostError';
  junkBefore: boolean;
  fragment: boolean;
  /** Switch the line to this rate after the reply (60 xx). */
  newBaudRate?: number;
}

interface ActiveFault {
  remaining: number;
  target: FaultTarget;
}

function targetOf(name: CommandName | undefined): FaultTarget {
  switch (name) {
    case 'samStatus':
    case 'resetSam':
      return 'status';
    case 'samId':
      return 'samId';
    case 'findCard':
      return 'find';
    case 'selectCard':
      return 'select';
    case 'readBase':
    case 'readBaseWithFingerprint':
    case 'readNewestAddress':
    case 'readManagementNumber':
      return 'read';
    default:
      return 'any';
  }
}

export interface ReaderOptions {
  samId: string;
  /**
   * How a select or read out of sequence is answered. false (default): tolerated, as sloppy
   * hosts exist (reference §2.2). true: SW3 24, as a bridge firmware does.
   */
  strictSequence: boolean;
  /** The rest of the personality (strictSequence above wins); default standard. */
  personality?: Partial<ReaderPersonality>;
  /** Clock for the slide-in window, ms. */
  now?: () => number;
}

export class ReaderModel {
  card: PlacedCard | null = null;
  phase: CardPhase = 'absent';
  personality: ReaderPersonality;
  private readonly faults = new Map<FaultKind, ActiveFault>();
  readonly counters = { commands: 0, reads: 0, silenced: 0, finds: 0, selects: 0, managementNumber: 0 };
  private readonly now: () => number;
  private placedAt = 0;
  /** The previous command was a successful select or read (30 05 `after-read-only`). */
  private freshlyAuthenticated = false;

  constructor(readonly options: ReaderOptions) {
    this.personality = { ...standardPersonality, ...options.personality, strictSequence: options.strictSequence };
    this.now = options.now ?? (() => performance.now());
  }

  place(card: PlacedCard): void {
    this.card = card;
    this.phase = 'present';
    this.placedAt = this.now();
  }

  /** Still sliding in: the card answers find but cannot be selected or read yet. */
  private sliding(): boolean {
    return this.card !== null && this.now() - this.placedAt < this.personality.slideInMs;
  }

  remove(): boolean {
    const had = this.card !== null;
    this.card = null;
    this.phase = 'absent';
    return had;
  }

  /** Power cycle (unplug/replug): the card stays on the reader but its RF session is gone. */
  powerCycle(): void {
    if (this.card) this.phase = 'present';
  }

  inject(kind: FaultKind, count: number, target: FaultTarget = 'any'): void {
    if (count <= 0) this.faults.delete(kind);
    else this.faults.set(kind, { remaining: count, target });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  activeFaults(): Record<string, { remaining: number; target: FaultTarget }> {
    return Object.fromEntries([...this.faults].map(([k, v]) => [k, { ...v }]));
  }

  private take(kind: FaultKind, target: FaultTarget): boolean {
    const f = this.faults.get(kind);
    if (!f || (f.target !== 'any' && f.target !== target)) return false;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.delete(kind);
    return true;
  }

  /** Reply to a frame whose checksum or length was wrong (SW3 10 / 11). */
  hostError(kind: 'checksum' | 'length'): Reply {
    const sw3 = kind === 'checksum' ? SW3.HOST_CHECKSUM : SW3.HOST_LENGTH;
    return this.decorate(
      { frame: buildResponseFrame(sw3), timing: 'short', command: 'hostError', junkBefore: false, fragment: false },
      'any',
    );
  }

  handle(cmd: CommandFrame): Reply {
    this.counters.commands += 1;
    const name = identifyCommand(cmd.cmd, cmd.para);
    const target = targetOf(name);
    const base = { junkBefore: false, fragment: false, command: name ?? ('unknown' as const) };
    const fresh = this.freshlyAuthenticated;
    this.freshlyAuthenticated = false;
    if (name === 'readManagementNumber') {
      this.counters.managementNumber += 1;
      if (this.personality.managementNumber === 'silent') {
        this.counters.silenced += 1;
        return { ...base, frame: null, timing: 'short' };
      }
    }

    if (this.take('silent', target)) {
      this.counters.silenced += 1;
      return { ...base, frame: null, timing: 'short' };
    }
    if (this.take('no-sam', target)) {
      return this.decorate({ ...base, frame: buildResponseFrame(SW3.SAM_SELF_TEST_FAILED), timing: 'short' }, target);
    }
    const r = this.answer(name, cmd, fresh);
    return this.decorate({ ...base, ...r }, target);
  }

  private decorate(reply: Reply, target: FaultTarget): Reply {
    if (reply.frame && this.take('bad-checksum', target)) {
      const f = Buffer.from(reply.frame);
      f[f.length - 1] = f[f.length - 1]! ^ 0x5a;
      reply.frame = f;
    }
    if (reply.frame && this.take('junk', target)) reply.junkBefore = true;
    if (reply.frame && this.take('fragment', target)) reply.fragment = true;
    return reply;
  }

  private answer(
    name: CommandName | undefined,
    cmd: CommandFrame,
    fresh: boolean,
  ): { frame: Buffer; timing: TimingClass; newBaudRate?: number } {
    const ok = (data?: Uint8Array, timing: TimingClass = 'short') => ({ frame: buildResponseFrame(SW3.SUCCESS, data), timing });
    const fail = (sw3: number, timing: TimingClass = 'short') => ({ frame: buildResponseFrame(sw3), timing });
    const card = this.card;
    const selectedish = this.phase === 'selected' || this.phase === 'read';

    switch (name) {
      case 'resetSam':
        if (this.phase === 'found' || this.phase === 'selected') this.phase = 'present';
        return ok();
      case 'samStatus':
        return ok();
      case 'samId':
        return ok(encodeSamId(this.options.samId));
      case 'findCard':
        this.counters.finds += 1;
        if (!card || (this.phase === 'read' && !this.personality.refindsReadCard)) return fail(SW3.FIND_FAILED, 'find');
        this.phase = 'found';
        return { frame: buildResponseFrame(SW3.FIND_SUCCESS, Buffer.alloc(4)), timing: 'find' };
      case 'selectCard':
        this.counters.selects += 1;
        if (!card) return fail(SW3.SELECT_FAILED, 'select');
        if (this.phase === 'present' && this.personality.strictSequence) return fail(SW3.UNKNOWN_ERROR, 'select');
        if (this.phase === 'read') return fail(SW3.SELECT_FAILED, 'select');
        if (this.sliding()) {
          // Not seated yet: the card drops back to idle and answers the next find again.
          this.phase = 'present';
          return { frame: buildResponseFrame(SW3.SELECT_FAILED, undefined, 0x6a, 0x82), timing: 'select' };
        }
        this.freshlyAuthenticated = true;
        this.phase = 'selected';
        return { frame: buildResponseFrame(SW3.SUCCESS, Buffer.alloc(8)), timing: 'select' };
      case 'readBase':
      case 'readBaseWithFingerprint': {
        if (!card) return fail(SW3.READ_FAILED, 'read');
        if (!selectedish && this.personality.strictSequence) return fail(SW3.UNKNOWN_ERROR, 'read');
        if (this.sliding()) {
          this.phase = 'present';
          return { frame: buildResponseFrame(SW3.READ_FAILED, undefined, 0x6a, 0x82), timing: 'read' };
        }
        if (this.take('removed-mid-read', 'read')) {
          // The citizen lifted the card while the RF transfer ran: the card is gone.
          this.remove();
          return fail(SW3.READ_FAILED, 'read');
        }
        this.counters.reads += 1;
        this.phase = 'read';
        this.freshlyAuthenticated = true;
        const data =
          name === 'readBase' ? encodeReadBase(card.text, card.photo) : encodeReadFull(card.text, card.photo, card.fingerprint);
        return ok(data, 'read');
      }
      case 'readNewestAddress': {
        if (!card || !selectedish) return fail(SW3.READ_FAILED, 'read');
        if (!card.newestAddress) return fail(SW3.NO_CONTENT, 'read');
        const block = Buffer.alloc(NEWEST_ADDRESS_BYTES);
        for (let i = 0; i < NEWEST_ADDRESS_BYTES; i += 2) block[i] = 0x20;
        Buffer.from(card.newestAddress, 'utf16le').copy(block, 0, 0, NEWEST_ADDRESS_BYTES);
        return ok(block, 'find');
      }
      case 'readManagementNumber':
        switch (this.personality.managementNumber) {
          case 'rejected':
            return fail(SW3.BAD_COMMAND);
          case 'no-content':
            return card && selectedish ? fail(SW3.NO_CONTENT, 'find') : fail(SW3.READ_FAILED, 'find');
          case 'read-failed':
            return fail(SW3.READ_FAILED, 'find');
          case 'after-read-only':
            if (card && selectedish && !fresh) return fail(SW3.UNKNOWN_ERROR, 'find');
            break;
          default:
            break;
        }
        // Readable with the card still authenticated (after select or a base read), per S18.
        if (!card || !selectedish) return fail(SW3.READ_FAILED, 'find');
        return ok(card.managementNumber, 'find');
      case 'setBaudRate': {
        const rate = baudRates[cmd.para];
        return { ...ok(), ...(rate ? { newBaudRate: rate } : {}) };
      }
      case 'setMaxRfBytes':
        return cmd.data.length === 1 ? ok() : fail(SW3.HOST_LENGTH);
      default:
        return fail(SW3.BAD_COMMAND);
    }
  }
}
