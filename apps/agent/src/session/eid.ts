/**
 * The second identity source at the shared identity step: a 鄂汇办 electronic ID code (电子证照码)
 * shown on the citizen's phone and read by the kiosk's 2D scanner. The scanner's codes become
 * `EID.SCANNED {ref}` events (the code itself waits in the vault under an opaque ref, never in the
 * machine); the machine, only on the identity step, invokes the redeem actor, which takes the code
 * from the vault, asks the e-ID platform (services/eid.ts) and turns the identity into the same
 * card record an ID card read gives (vault.offer), so flows, face check and slips need no change.
 */
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { isEidCode, maskEidCode, type EidIdentity } from '@kiosk/contracts/eid';
import { isUpstreamError } from '../services/errors.js';
import { isExpired, nations, validateIdNumber18, type DecodedCard } from '@kiosk/protocol-sam';
import type { ScannedCode } from '../devices/scanner/driver.js';
import { chinaDate, type Logger } from '@kiosk/platform';
import { maskIdentity } from './identity.js';
import type { IdentityVault } from './vault.js';
import type { EidRefusal, MaskedIdentity } from '@kiosk/contracts/session-view';

/** Redeems a code at the e-ID platform (compose.ts: the connector). Rejects with UpstreamError. */
export type EidRedeemer = (code: string, options: { signal: AbortSignal }) => Promise<EidIdentity>;

/** What the session needs from a scanner (ScannerDriver satisfies it). */
export interface CodeSource {
  on(event: 'code', listener: (code: ScannedCode) => void): unknown;
  off(event: 'code', listener: (code: ScannedCode) => void): unknown;
}

class EidFailure extends Error {
  constructor(readonly reason: EidRefusal) {
    super(`e-ID code refused: ${reason}`);
    this.name = 'EidFailure';
  }
}

/** Turns the scanner's codes into session events for the machine's whole life. */
export function createCodeWatcher(scanner: CodeSource | undefined, vault: IdentityVault) {
  return fromCallback<EventObject, undefined>(({ sendBack }) => {
    if (!scanner) return undefined;
    const onCode = (c: ScannedCode): void => sendBack({ type: 'EID.SCANNED', ref: vault.offerCode(c.text) });
    scanner.on('code', onCode);
    return () => scanner.off('code', onCode);
  });
}

/** The platform's identity as the card record the rest of the session already knows. */
function cardFromEid(id: EidIdentity): DecodedCard {
  return {
    cardType: 'resident',
    name: id.name,
    sex: id.sex,
    birthDate: id.birthDate,
    idNumber: id.idNumber,
    validFrom: id.validFrom,
    validTo: id.validTo,
    nationCode: id.nationCode,
    nation: nations[id.nationCode] ?? id.nationCode,
    address: id.address,
    issuer: id.issuer,
    warnings: [],
  };
}

const refusals: Record<string, EidRefusal> = { EID_CODE_EXPIRED: 'expired', EID_CODE_USED: 'used', EID_CODE_FORGED: 'forged' };

/**
 * Redeems the code behind `codeRef`. Resolves with the vault ref and masked identity of the
 * person (as CARD.READ carries them); rejects with EidFailure. Logs carry the masked code only.
 */
export function createEidRedeemActor(redeem: EidRedeemer | undefined, vault: IdentityVault, log: Logger) {
  return fromPromise<{ ref: string; identity: MaskedIdentity }, { codeRef: string | null }>(async ({ input, signal }) => {
    const code = input.codeRef ? vault.takeCode(input.codeRef) : undefined;
    if (code === undefined) throw new EidFailure('unavailable');
    // Not the shape of an e-ID code (a product barcode, a URL): refused here, sent nowhere.
    if (!isEidCode(code.trim())) throw new EidFailure('notCode');
    if (!redeem) throw new EidFailure('unavailable');
    let id: EidIdentity;
    try {
      id = await redeem(code.trim(), { signal });
    } catch (err) {
      const reason = isUpstreamError(err) && err.upstreamCode ? refusals[err.upstreamCode] : undefined;
      log.warn(
        { code: maskEidCode(code), reason: reason ?? 'unavailable', err: isUpstreamError(err) ? err.code : String(err) },
        'e-ID code not accepted',
      );
      throw new EidFailure(reason ?? 'unavailable');
    }
    // The same rule as for a card: a number that fails GB 11643 is no identity.
    if (!validateIdNumber18(id.idNumber).valid) throw new EidFailure('forged');
    const card = cardFromEid(id);
    log.info({ code: maskEidCode(code) }, 'e-ID code redeemed');
    return { ref: vault.offer(card), identity: maskIdentity(card, isExpired(card, chinaDate(new Date()))) };
  });
}
