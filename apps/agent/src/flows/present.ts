/**
 * Upstream records → what a screen shows (views.ts) and what a slip prints (receipts/slips).
 * Pure functions; the flows call them so screen and paper always agree.
 */
import type { Property, PropertyStatus, SocialKind, SocialRecord, TaxRecord } from '@kiosk/contracts/upstream';
import { isUpstreamError } from '../services/errors.js';
import { groupDigits, yuan, type SlipRecord } from '../receipts/slips/index.js';
import type { MaskedIdentity } from '@kiosk/contracts/session-view';
import type {
  CitizenText,
  ErrorData,
  HolderView,
  PropertyStatusView,
  PropertyView,
  RecordServiceId,
  SocialRecordView,
  TaxRecordView,
} from '@kiosk/contracts/record-views';

export const SLIP_TITLES = {
  property: { title: '不动产登记信息查询结果', subtitle: 'Property registration and rights status' },
  tax: { title: '个人所得税纳税记录', subtitle: 'Individual income tax payment record' },
  'social-resident': { title: '城乡居民社保费缴款凭单', subtitle: 'Urban-rural residents social insurance payment slip' },
  'social-flexible': { title: '灵活就业人员社保票据', subtitle: 'Flexible employment social insurance receipt' },
} as const;

export const socialSlipKind = (k: SocialKind): 'social-resident' | 'social-flexible' =>
  k === 'resident' ? 'social-resident' : 'social-flexible';

/** The upstream's masked holder, else the session's masked identity. */
export function holderOf(
  upstream: { nameMasked: string; idNumberMasked: string } | null,
  identity: MaskedIdentity | null,
): HolderView | null {
  if (upstream) return { name: upstream.nameMasked, idNumber: upstream.idNumberMasked };
  return identity ? { name: identity.name, idNumber: identity.idNumber } : null;
}

// ---------------------------------------------------------------- property

function propertyStatusView(s: PropertyStatus): PropertyStatusView {
  const base = { mortgagee: '', amount: '', authority: '', note: '', registeredOn: s.registeredOn };
  switch (s.type) {
    case 'mortgage':
      return {
        ...base,
        type: s.type,
        label: s.label,
        mortgagee: s.mortgagee,
        amount: yuan(s.amountFen),
        note: `${s.termStart} 至 ${s.termEnd}`,
      };
    case 'seizure':
      return { ...base, type: s.type, label: s.label, authority: s.authority, note: `${s.documentNo}，至 ${s.termEnd}` };
    case 'objection':
    case 'advance_notice':
      return { ...base, type: s.type, label: s.label, note: s.note };
  }
}

const noneStatus: PropertyStatusView = {
  type: 'none',
  label: '无',
  mortgagee: '',
  amount: '',
  authority: '',
  registeredOn: '',
  note: '',
};

export function propertyView(p: Property): PropertyView {
  return {
    certificateNo: p.certificateNo,
    unitNumber: p.unitNumber,
    location: p.location,
    district: p.district.name,
    areaM2: p.areaM2,
    usage: p.usage,
    rightType: p.rightType,
    ownership: p.ownership,
    registeredOn: p.registeredOn,
    statuses: p.statuses.length > 0 ? p.statuses.map(propertyStatusView) : [noneStatus],
  };
}

/** One line for a status, as the slip and the confirm screen show it. */
export function statusLine(s: PropertyStatusView): string {
  switch (s.type) {
    case 'mortgage':
      return `抵押：${s.mortgagee} ${s.amount}`;
    case 'seizure':
      return `查封：${s.authority}`;
    case 'objection':
    case 'advance_notice':
      return `${s.label}：${s.note}`;
    case 'none':
      return '无';
  }
}

/**
 * A status as slip rows: each value on its own row, so a long mortgagee never pushes the amount
 * across a line break (a wrapped "￥700,\n000.00" on an official slip invites misreading).
 * Labels are numbered when a property has several statuses, because verification keys rows by label.
 */
function statusRows(s: PropertyStatusView, k: number, n: number): [string, string][] {
  const no = n > 1 ? ` ${k + 1}` : '';
  switch (s.type) {
    case 'mortgage':
      return [
        [`权利状态${no}`, '抵押'],
        [`抵押权人${no}`, s.mortgagee],
        [`抵押金额${no}`, s.amount],
      ];
    case 'seizure':
      return [
        [`权利状态${no}`, '查封'],
        [`查封机关${no}`, s.authority],
      ];
    case 'objection':
    case 'advance_notice':
      return [
        [`权利状态${no}`, s.label],
        [`说明${no}`, s.note],
      ];
    case 'none':
      return [[`权利状态${no}`, '无']];
  }
}

export function propertySlipRecord(p: PropertyView, i: number, n: number): SlipRecord {
  return {
    heading: `不动产 ${i + 1} / ${n}`,
    rows: [
      ['不动产权证号', p.certificateNo],
      ['不动产单元号', p.unitNumber],
      ['坐落', p.location],
      ['面积', `${p.areaM2} ㎡`],
      ['用途', p.usage],
      ['权利类型', p.rightType],
      ['共有情况', p.ownership],
      ['登记日期', p.registeredOn],
      ...p.statuses.flatMap((st, k) => statusRows(st, k, p.statuses.length)),
    ],
  };
}

// ---------------------------------------------------------------- tax

export function taxRecordView(r: TaxRecord): TaxRecordView {
  return {
    voucherNo: groupDigits(r.voucherNo),
    taxType: r.taxType,
    taxItem: r.taxItem,
    period: `${r.periodStart} 至 ${r.periodEnd}`,
    amount: yuan(r.amountFen),
    taxAuthority: r.taxAuthority,
    paidOn: r.paidOn,
    verificationCode: r.verificationCode,
    year: Number(r.periodStart.slice(0, 4)),
    amountFen: r.amountFen,
  };
}

export function taxSlipRecord(r: TaxRecordView): SlipRecord {
  return {
    heading: `${r.taxType} ${r.paidOn}`,
    rows: [
      ['完税凭证号', r.voucherNo],
      ['税种', r.taxType],
      ['品目', r.taxItem],
      ['所属期', r.period],
      ['实缴金额', r.amount],
      ['税务机关', r.taxAuthority],
      ['入库日期', r.paidOn],
      ['验证码', r.verificationCode],
    ],
  };
}

/**
 * A tax slip lists each voucher only up to this many records; above it the slip gives one line per
 * year (count and total) so 31 records do not become 1.3 m of paper (issue 19). The citizen can
 * choose fewer records on the list for a detailed slip.
 */
export const TAX_DETAIL_MAX = 10;

export interface TaxYearSummary {
  year: number;
  count: number;
  totalFen: number;
}

export function taxYearSummaries(records: readonly TaxRecordView[]): TaxYearSummary[] {
  const by = new Map<number, TaxYearSummary>();
  for (const r of records) {
    const y = by.get(r.year) ?? { year: r.year, count: 0, totalFen: 0 };
    y.count += 1;
    y.totalFen += r.amountFen;
    by.set(r.year, y);
  }
  return [...by.values()].sort((a, b) => b.year - a.year);
}

export function taxYearSlipRecord(y: TaxYearSummary): SlipRecord {
  return {
    heading: `${y.year} 年度 Year ${y.year}`,
    rows: [
      ['完税记录 Records', String(y.count)],
      ['实缴合计 Total', yuan(y.totalFen)],
    ],
  };
}

// ---------------------------------------------------------------- social insurance

export function socialRecordView(r: SocialRecord): SocialRecordView {
  return {
    voucherNo: groupDigits(r.voucherNo),
    insuranceType: r.insuranceType,
    period: r.periodStart === r.periodEnd ? r.periodStart : `${r.periodStart} 至 ${r.periodEnd}`,
    base: r.baseFen === null ? '' : yuan(r.baseFen),
    grade: r.grade ?? '',
    amount: yuan(r.amountFen),
    paidOn: r.paidOn,
    collector: r.collector,
  };
}

export function socialSlipRecord(r: SocialRecordView): SlipRecord {
  const rows: [string, string][] = [
    ['票据号码', r.voucherNo],
    ['险种', r.insuranceType],
    ['费款所属期', r.period],
  ];
  if (r.base) rows.push(['缴费基数', r.base]);
  if (r.grade) rows.push(['缴费档次', r.grade]);
  rows.push(['缴费金额', r.amount], ['缴费日期', r.paidOn], ['征收机关', r.collector]);
  return { heading: `${r.insuranceType} ${r.period}`, rows };
}

/** The tax period year of a social-insurance record (its start month). */
export const socialYear = (r: SocialRecord): number => Number(r.periodStart.slice(0, 4));

// ---------------------------------------------------------------- errors

const GENERIC: CitizenText = {
  zh: '系统暂时无法完成查询，请稍后再试或拨打 12345 咨询。',
  en: 'The system could not complete the query. Please try again later or call 12345.',
};

export const NO_IDENTITY: CitizenText = {
  zh: '未能获取您的身份证信息，请返回首页重新读取身份证。',
  en: 'Your ID card details are not available. Please go back and read your ID card again.',
};

/** Raised inside a flow actor when a step cannot start (no card in the session). */
export class FlowStepError extends Error {
  constructor(readonly citizen: CitizenText) {
    super(citizen.en);
    this.name = 'FlowStepError';
  }
}

const RETRYABLE = new Set(['TIMEOUT', 'UNREACHABLE', 'CIRCUIT_OPEN', 'SERVER_ERROR', 'BAD_RESPONSE', 'CANCELED']);

/** Any failure → what the citizen reads. Upstream details and stacks stay in the log. */
export function errorData(service: RecordServiceId, err: unknown): ErrorData {
  if (isUpstreamError(err)) return { service, message: { ...err.citizen }, retryable: err.retryable || RETRYABLE.has(err.code) };
  if (err instanceof FlowStepError) return { service, message: err.citizen, retryable: false };
  return { service, message: GENERIC, retryable: true };
}

/** Loggable summary of a failure: no personal data (UpstreamError messages carry none). */
export function errorLog(err: unknown): Record<string, unknown> {
  if (isUpstreamError(err))
    return {
      upstream: err.upstream,
      operation: err.operation,
      code: err.code,
      upstreamCode: err.upstreamCode,
      requestId: err.requestId,
    };
  return { err: err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : typeof err };
}
