/**
 * The shape of a 鄂汇办 electronic ID code (电子证照码) as the kiosk sees it in a QR: pure, shared by
 * the connector, the scanner's masking and the sandbox platform that issues them.
 *
 *   EHBEID:1:<ID>:<SIG>    ID: 20 of [0-9A-Z] (random, single use), SIG: 16 of [0-9A-F]
 *
 * Upper case, digits and `:` only, so the QR fits its compact alphanumeric mode. The signature is
 * the platform's (HMAC over `1:<ID>`); the kiosk cannot check it and does not try: it only knows
 * the shape, to mask such codes in logs and to refuse obvious non-codes without a network call.
 * The real platform's format is not public [?]; this one stands in for it in the sandbox.
 */

export const EID_CODE_PREFIX = 'EHBEID:1:';
export const EID_CODE_PATTERN = /^EHBEID:1:([0-9A-Z]{20}):([0-9A-F]{16})$/;
/** Somewhere inside a longer text (e.g. a URL a module decoded). */
const EID_CODE_ANYWHERE = /EHBEID:1:[0-9A-Z]{20}:[0-9A-F]{16}/g;

export function isEidCode(text: string): boolean {
  return EID_CODE_PATTERN.test(text);
}

export function parseEidCode(text: string): { id: string; sig: string } | null {
  const m = EID_CODE_PATTERN.exec(text);
  return m ? { id: m[1]!, sig: m[2]!} : null;
}

/**
 * Logs and screens never carry a code in full (it is a bearer token for a person's identity
 * while it lives): the prefix and the last four characters stay, so two codes can be told apart.
 */
export function maskEidCode(code: string): string {
  const keep = code.length > EID_CODE_PREFIX.length + 8 ? 4 : 0;
  const head = code.startsWith(EID_CODE_PREFIX) ? EID_CODE_PREFIX.length : 0;
  return code.slice(0, head) + '*'.repeat(Math.max(0, code.length - head - keep)) + code.slice(code.length - keep);
}

/** Masks every e-ID code inside a text. */
export function maskEidCodesIn(text: string): string {
  return text.replace(EID_CODE_ANYWHERE, (m) => maskEidCode(m));
}
