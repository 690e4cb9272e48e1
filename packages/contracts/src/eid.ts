import { z } from 'zod';

/**
 * The 鄂汇办 e-ID platform's wire contract (issue 17): the code format and the JSON of issuing and
 * redeeming codes, shared by the agent's connector (apps/agent/src/services/eid.ts), the scanner's
 * masking and the sandbox platform (apps/sandbox/src/routes/eid.ts).
 *
 * The shape of an electronic ID code (电子证照码) as the kiosk sees it in a QR:
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
  return m ? { id: m[1]!, sig: m[2]! } : null;
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

/** What the citizen's app asks the platform for (sandbox only: the real app talks to its own back end). */
export const eidIssueRequestSchema = z.object({ profile: z.string().min(1).max(64) }).strict();
export const eidIssueResponseSchema = z.object({ code: z.string(), expiresAt: z.string() });
export type EidIssueResponse = z.infer<typeof eidIssueResponseSchema>;

export const eidRedeemRequestSchema = z.object({ code: z.string().min(1).max(512) }).strict();
export type EidRedeemRequest = z.infer<typeof eidRedeemRequestSchema>;

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The person, as on their resident ID card (居民身份证电子证照). Full data: memory only. */
export const eidIdentitySchema = z.object({
  name: z.string().min(1).max(60),
  idNumber: z.string().regex(/^\d{17}[\dX]$/),
  sex: z.enum(['male', 'female', 'unspecified', 'unknown']),
  birthDate: date,
  nationCode: z.string().regex(/^\d{2}$/),
  address: z.string().max(140),
  issuer: z.string().max(60),
  validFrom: date,
  validTo: z.union([date, z.literal('long-term')]),
});
export type EidIdentity = z.infer<typeof eidIdentitySchema>;

export const eidRedeemResponseSchema = z.object({
  requestId: z.string(),
  identity: eidIdentitySchema,
  issuedAt: z.string(),
  redeemedAt: z.string(),
});
export type EidRedeemResponse = z.infer<typeof eidRedeemResponseSchema>;

/** Business refusals of a redeem (upstreamCode on the UpstreamError). */
export const EID_REFUSALS = ['EID_CODE_EXPIRED', 'EID_CODE_USED', 'EID_CODE_FORGED'] as const;
export type EidRefusal = (typeof EID_REFUSALS)[number];
