/**
 * What the UI receives: a JSON-safe view of the citizen's session. This file has no imports so
 * the kiosk UI (apps/kiosk-ui/) can import its types too; the agent and the UI share one definition.
 *
 * Privacy rule: a view carries only masked personal data (`张*三`, `4201**********1234`).
 * Full names and numbers stay in the agent's memory (session/vault.ts) and never reach a view.
 */

export type ServiceId = 'property' | 'gas' | 'tax' | 'social' | 'licence' | 'photo';
export const serviceIds: readonly ServiceId[] = ['property', 'gas', 'tax', 'social', 'licence', 'photo'];

export type Lang = 'zh-CN' | 'en';

export type ScreenName =
  'attract' | 'outOfService' | 'home' | 'identity' | 'face' | 'service' | 'printing' | 'result' | 'rating' | 'goodbye';

/** 好差评: five levels, best first. */
export const ratingLevels = ['verySatisfied', 'satisfied', 'basicallySatisfied', 'dissatisfied', 'veryDissatisfied'] as const;
export type RatingLevel = (typeof ratingLevels)[number];
/** The levels that open a follow-up (差评整改) and may carry reasons. */
export const badRatingLevels: readonly RatingLevel[] = ['dissatisfied', 'veryDissatisfied'];
/**
 * Why a citizen was not satisfied: a short fixed list plus "other" (no free text on a kiosk: no
 * keyboard, and free text could carry personal data to the evaluation platform).
 */
export const ratingReasons = ['waitTooLong', 'hardToUse', 'deviceFault', 'resultWrong', 'notSolved', 'other'] as const;
export type RatingReason = (typeof ratingReasons)[number];

export interface Prefs {
  lang: Lang;
  /** 长辈版: larger text and targets, longer countdowns, voice guidance. */
  elder: boolean;
  /** Spoken guidance (elder mode); the UI falls back silently when no voice exists. */
  voice: boolean;
}

/** Why a service or device is not usable; the UI turns each code into words from its catalogue. */
export type ReasonCode = 'idcardDown' | 'printerDown' | 'paperOut' | 'paperJammed' | 'cameraDown' | 'upstreamDown' | 'disabled';

export interface ServiceAvailability {
  available: boolean;
  reasons: ReasonCode[];
}

export interface AvailabilityView {
  services: Record<ServiceId, ServiceAvailability>;
  /** Things the home screen says out loud (ID reader down, printer down …). */
  notices: ReasonCode[];
  /** Set when the whole kiosk shows the out-of-service page. */
  outOfService: { reason: 'mode' | 'devices'; message: string | null } | null;
  /** A 鄂汇办 e-ID code can be taken now: the scanner works and the e-ID platform is not down. */
  eidCode?: boolean;
}

export interface MaskedIdentity {
  /** Masked: 张*三. */
  name: string;
  /** Masked: 4201**********1234. */
  idNumber: string;
  cardType: 'resident' | 'hk-macau-taiwan' | 'foreign-2017' | 'foreign-2023';
  expired: boolean;
  /** YYYY-MM-DD or `long-term`; shown when a card has expired. */
  validTo: string;
}

/** Identity sub-steps: the UI shows one screen per step. */
export type IdentityStep =
  | 'waitCard'
  | 'reading'
  | 'replace'
  | 'unreadable'
  | 'readerDown'
  | 'expired'
  | 'confirmed'
  /** An e-ID code was scanned and is being redeemed. */
  | 'eidChecking'
  /** The e-ID platform refused the code, or could not be asked (SessionView.eid.refused says why). */
  | 'eidRefused'
  /** A code was scanned for a service whose rules require the physical ID card. */
  | 'eidCardOnly';

/** Why an e-ID code was not accepted. */
export type EidRefusal = 'expired' | 'used' | 'forged' | 'notCode' | 'unavailable';

/** Face sub-steps. */
export type FaceStep = 'consent' | 'preview' | 'capturing' | 'matched' | 'mismatch' | 'failed' | 'declined';

export interface ServiceInfo {
  id: ServiceId;
  identity: boolean;
  /** The identity step also takes a 鄂汇办 e-ID code; false: the physical ID card is required. */
  eidCode?: boolean;
  face: 'off' | 'optional' | 'required';
  printer: 'none' | 'optional' | 'required';
}

/** JSON values only, so every view survives JSON.stringify unchanged. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A service flow's own screen: which step, and the (masked) data it shows. */
export interface FlowView {
  step: string;
  data: { [key: string]: Json };
}

/** The outcome a service reports; keys are UI catalogue keys with optional parameters. */
export interface ResultView {
  kind: 'success' | 'info' | 'failure';
  titleKey: string;
  messageKey?: string;
  params?: { [key: string]: string | number };
}

export interface PrintView {
  state: 'printing' | 'printed' | 'failed';
  /** Catalogue key of the failure reason (paper out …). */
  reason?: ReasonCode | 'printFailed';
  /** Printing stopped part-way: a cut-off slip may be in the tray and is void (issue 19). */
  incomplete?: boolean;
  /**
   * The slip's public verification page, to fetch on a phone when paper failed: the address the
   * slip's QR would have carried, and that QR as an SVG made by the agent.
   */
  verify?: { url: string; qrSvg: string };
}

export interface CountdownView {
  /** Time left on this screen when the view was made; the UI counts down locally from it. */
  remainingMs: number;
  totalMs: number;
  warningMs: number;
  /** The "继续办理 / Continue" warning is showing. */
  warning: boolean;
  /** No countdown while money, a card write or a print is in flight. */
  paused: boolean;
}

export type BusyReason = 'payment' | 'cardWrite' | 'printing';

export interface ContactInfo {
  hotline: string;
  hoursZh: string;
  hoursEn: string;
}

export interface SessionView {
  /** Opaque id of the current citizen's session; null on attract and out-of-service. */
  sessionId: string | null;
  /** Increases with every change, so a client can drop stale views. */
  seq: number;
  screen: ScreenName;
  /** Sub-step of the screen (identity and face steps), else null. */
  step: string | null;
  prefs: Prefs;
  service: ServiceInfo | null;
  identity: MaskedIdentity | null;
  /** True once a face check succeeded in this session; null when none was done. */
  faceVerified: boolean | null;
  /** Face step extras: where to load the live preview, attempts left. */
  face: { previewUrl: string | null; attemptsLeft: number } | null;
  flow: FlowView | null;
  result: ResultView | null;
  print: PrintView | null;
  rating: RatingLevel | null;
  countdown: CountdownView | null;
  busy: BusyReason | null;
  availability: AvailabilityView;
  /** A guide is helping (issue 9 adds the staff number). */
  assisted: boolean;
  contact: ContactInfo;
  /**
   * Cards the citizen must take (the UI shows a loud reminder with sound): on the goodbye screen
   * any card still in a reader, at the end of a gas session the gas card, and on the attract
   * screen a card left behind by the last session until it is taken.
   */
  takeCards: CardKind[];
  /**
   * Identity step only (else null): whether a 鄂汇办 e-ID code is offered beside the card, whether
   * this service requires the physical card, and why the last code was refused.
   */
  eid?: { offered: boolean; cardOnly: boolean; refused: EidRefusal | null } | null;
}

export type CardKind = 'idcard' | 'gascard';

/** Name of the unsolicited broadcast that carries a SessionView. */
export const sessionStateEvent = 'Session.StateChangedEvent';
