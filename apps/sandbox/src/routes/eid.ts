import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import {
  EID_CODE_PREFIX,
  eidIssueRequestSchema,
  eidRedeemRequestSchema,
  maskEidCode,
  parseEidCode,
  type EidIssueResponse,
  type EidRedeemResponse,
} from '@kiosk/contracts/eid';
import { ApiError, operation, parseBody, type OpDeps } from '../http.js';
import { maskIdNumber } from '../mask.js';
import { eidProfileNames, residentCardOfProfile, type ResidentProfileCard } from '../profiles.js';

/** How long a code shown in the app may be redeemed. */
const EID_CODE_TTL_MS = 60_000;
/** The platform's signing key. A sandbox constant: the sandbox is no security boundary. */
const KEY = 'sandbox-eid-platform-key';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

interface Issued {
  card: ResidentProfileCard;
  issuedAt: number;
  expiresAt: number;
  redeemedAt: number | null;
}

const sign = (id: string): string => createHmac('sha256', KEY).update(`1:${id}`).digest('hex').slice(0, 16).toUpperCase();

function signatureOk(id: string, sig: string): boolean {
  const want = Buffer.from(sign(id));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * The 鄂汇办 e-ID platform as the sandbox implements it.
 *
 * - `POST /eid/codes {"profile"}` is what the citizen's app does when it shows the code (no kiosk
 *   headers: the app is not a kiosk): a signed, single-use code bound to the person of an ID card
 *   simulator profile, valid 60 s.
 * - `POST /eid/v1/codes/redeem {"code"}` is the kiosk's call (kiosk headers like every upstream
 *   call): the person's identity, once. Refusals: 422 EID_CODE_FORGED (not a code of this
 *   platform: wrong shape or signature), 410 EID_CODE_EXPIRED (older than 60 s, or signed but no
 *   longer known), 409 EID_CODE_USED.
 *
 * Codes live in memory: they are worth nothing after 60 s. A signed code the platform does not
 * know (issued before a restart, or pruned) is refused as expired, so a restart cannot make a
 * used code usable again. Logs carry masked codes and numbers only.
 */
export function mountEid(router: Router, deps: OpDeps, now: () => Date): void {
  const codes = new Map<string, Issued>();
  const prune = (t: number): void => {
    for (const [id, c] of codes) if (t - c.expiresAt > EID_CODE_TTL_MS) codes.delete(id);
  };

  router.post(
    '/eid/codes',
    operation(
      'eid.issue',
      (req, ctx) => {
        const body = parseBody(eidIssueRequestSchema, req.body);
        const card = residentCardOfProfile(body.profile);
        if (card === undefined) {
          throw new ApiError(
            404,
            'PROFILE_NOT_FOUND',
            `no ID card profile "${body.profile}"; e-ID profiles: ${eidProfileNames().join(', ')}`,
          );
        }
        if (card === null)
          throw new ApiError(
            422,
            'PROFILE_NOT_ELIGIBLE',
            `profile "${body.profile}" has no resident ID card, so no electronic ID`,
          );
        const t = now().getTime();
        prune(t);
        let id = '';
        for (let i = 0; i < 20; i++) id += ALPHABET[randomInt(ALPHABET.length)];
        const issued: Issued = { card, issuedAt: t, expiresAt: t + EID_CODE_TTL_MS, redeemedAt: null };
        codes.set(id, issued);
        const code = `${EID_CODE_PREFIX}${id}:${sign(id)}`;
        ctx.logFields.code = maskEidCode(code);
        ctx.logFields.holder = maskIdNumber(card.idNumber);
        const out: EidIssueResponse = { code, expiresAt: new Date(issued.expiresAt).toISOString() };
        return { status: 201, body: out };
      },
      deps,
      { public: true },
    ),
  );

  router.post(
    '/eid/v1/codes/redeem',
    operation(
      'eid.redeem',
      (req, ctx) => {
        const body = parseBody(eidRedeemRequestSchema, req.body);
        ctx.logFields.code = maskEidCode(body.code);
        const parsed = parseEidCode(body.code.trim());
        if (!parsed || !signatureOk(parsed.id, parsed.sig)) {
          ctx.logFields.result = 'forged';
          throw new ApiError(422, 'EID_CODE_FORGED', 'not an e-ID code issued by this platform');
        }
        const t = now().getTime();
        const issued = codes.get(parsed.id);
        // Used before expired: "already used" tells the citizen more while the platform remembers it.
        if (issued && issued.redeemedAt !== null) {
          ctx.logFields.result = 'used';
          throw new ApiError(409, 'EID_CODE_USED', 'the e-ID code has already been used');
        }
        if (!issued || t >= issued.expiresAt) {
          ctx.logFields.result = 'expired';
          throw new ApiError(410, 'EID_CODE_EXPIRED', 'the e-ID code has expired');
        }
        issued.redeemedAt = t;
        ctx.logFields.result = 'redeemed';
        ctx.logFields.holder = maskIdNumber(issued.card.idNumber);
        const out: EidRedeemResponse = {
          requestId: ctx.requestId,
          identity: { ...issued.card },
          issuedAt: new Date(issued.issuedAt).toISOString(),
          redeemedAt: new Date(t).toISOString(),
        };
        return { body: out };
      },
      deps,
    ),
  );
}
