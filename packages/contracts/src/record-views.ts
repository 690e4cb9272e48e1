/**
 * What the record services' flows put in `FlowView.data`, step by step. This file has no imports
 * so the kiosk UI (apps/kiosk-ui/src/flows/) reads the same types. Everything here is masked or
 * non-personal: the holder's name and id number arrive masked from the upstream.
 *
 * Steps shared by the three flows:
 * - `loading`          a query is in flight
 * - `noRecords`        the upstream has nothing for this person (nothing will print)
 * - `error`            the upstream failed; `message` is the citizen text from UpstreamError
 * - `confirm`          "print this?" with a summary of what the slip will show
 * - `registering`      the slip is being registered with the upstream (serial + QR)
 */

export type RecordServiceId = 'property' | 'tax' | 'social';

export interface CitizenText {
  zh: string;
  en: string;
}

export interface HolderView {
  name: string;
  idNumber: string;
}

// ---------------------------------------------------------------- property

/** status `type` as in the upstream contract; `none` stands for "无" on a property with no encumbrance. */
export type PropertyStatusKind = 'mortgage' | 'seizure' | 'objection' | 'advance_notice' | 'none';

export interface PropertyStatusView {
  type: PropertyStatusKind;
  /** 抵押 / 查封 / 异议 / 预告 / 无 — the registry's own word. */
  label: string;
  /** Mortgage: the bank; empty otherwise. */
  mortgagee: string;
  /** Mortgage amount, e.g. "￥1,200,000.00"; empty otherwise. */
  amount: string;
  /** Seizure: the court or authority; empty otherwise. */
  authority: string;
  registeredOn: string;
  /** Term end or note (objection, pre-registration); may be empty. */
  note: string;
}

export interface PropertyView {
  certificateNo: string;
  unitNumber: string;
  location: string;
  district: string;
  areaM2: number;
  usage: string;
  rightType: string;
  ownership: string;
  registeredOn: string;
  statuses: PropertyStatusView[];
}

export interface PropertyListData {
  registry: string;
  holder: HolderView | null;
  properties: PropertyView[];
}

// ---------------------------------------------------------------- tax

export interface TaxYearsData {
  fromYear: number;
  toYear: number;
  /** Years the citizen may choose from, newest first. */
  years: number[];
}

export interface TaxRecordView {
  voucherNo: string;
  taxType: string;
  taxItem: string;
  period: string;
  amount: string;
  taxAuthority: string;
  paidOn: string;
  verificationCode: string;
  /** Tax year (of the period's start) and amount in fen: for per-year summaries. */
  year: number;
  amountFen: number;
}

export interface TaxListData {
  fromYear: number;
  toYear: number;
  holder: HolderView | null;
  records: TaxRecordView[];
  total: string;
  /** Voucher numbers (as shown) the citizen wants on the slip; all by default (issue 19). */
  selected: string[];
}

// ---------------------------------------------------------------- social insurance

export type SocialKindId = 'resident' | 'flexible';

export interface SocialRecordView {
  voucherNo: string;
  insuranceType: string;
  period: string;
  /** Contribution base (flexible employment) or grade (residents); one of them is empty. */
  base: string;
  grade: string;
  amount: string;
  paidOn: string;
  collector: string;
}

export interface SocialYearView {
  year: number;
  count: number;
  total: string;
}

export interface SocialYearsData {
  kind: SocialKindId;
  fromYear: number;
  toYear: number;
  holder: HolderView | null;
  years: SocialYearView[];
}

export interface SocialListData {
  kind: SocialKindId;
  year: number;
  holder: HolderView | null;
  records: SocialRecordView[];
}

// ---------------------------------------------------------------- shared steps

export interface NoRecordsData {
  service: RecordServiceId;
  /** Tax and social: the years searched; property: null. */
  fromYear: number | null;
  toYear: number | null;
  kind: SocialKindId | null;
}

export interface ErrorData {
  service: RecordServiceId;
  message: CitizenText;
  /** Trying again might work (timeouts, a service briefly down). */
  retryable: boolean;
}

export interface ConfirmData {
  service: RecordServiceId;
  /** The slip's title (zh) and English subtitle. */
  title: string;
  subtitle: string;
  holder: HolderView | null;
  /** How many records the slip lists. */
  count: number;
  /** One line per record, as the slip will show it. */
  lines: string[];
  /** The slip lists per-year totals instead of every record (long lists; issue 19). */
  summarised?: boolean;
}
