import { randomBytes } from 'node:crypto';
import type { DecodedCard } from '@kiosk/protocol-sam';

/**
 * The only place full personal data of a session lives: the card the citizen placed, in agent
 * memory, referenced from the machine's context by an opaque `ref`. It mirrors the machine: when
 * the machine accepts a card the vault keeps it; when the session is wiped, so is the vault.
 * Nothing here is ever persisted, logged or put in a view.
 */
export class IdentityVault {
  /** Cards read but not (yet) accepted by the machine; only the newest few. */
  private readonly offered = new Map<string, DecodedCard>();
  private accepted: { ref: string; card: DecodedCard } | null = null;
  /** Scanned codes waiting for the identity step to redeem them (bearer tokens: memory only, the newest few). */
  private readonly codes = new Map<string, string>();

  /** A card was read; returns the reference the machine event carries. */
  offer(card: DecodedCard): string {
    const ref = randomBytes(9).toString('base64url');
    this.offered.set(ref, card);
    while (this.offered.size > 2) this.offered.delete(this.offered.keys().next().value as string);
    return ref;
  }

  /** A scanned code; returns the reference the machine event carries. */
  offerCode(code: string): string {
    const ref = randomBytes(9).toString('base64url');
    this.codes.set(ref, code);
    while (this.codes.size > 2) this.codes.delete(this.codes.keys().next().value as string);
    return ref;
  }

  /** The code behind a reference, once. */
  takeCode(ref: string): string | undefined {
    const code = this.codes.get(ref);
    this.codes.delete(ref);
    return code;
  }

  /** Codes scanned where none is redeemed (outside the identity step) are not kept. */
  dropCodes(): void {
    this.codes.clear();
  }

  /** Called with the machine's current identity ref after every change. */
  sync(ref: string | null): void {
    if (ref === (this.accepted?.ref ?? null)) return;
    if (ref === null) {
      this.wipe();
      return;
    }
    const card = this.offered.get(ref);
    this.offered.clear();
    this.accepted = card ? { ref, card } : null;
  }

  /** The accepted card (full data) for service flows. */
  current(): DecodedCard | null {
    return this.accepted?.card ?? null;
  }

  wipe(): void {
    this.offered.clear();
    this.codes.clear();
    this.accepted = null;
  }
}
