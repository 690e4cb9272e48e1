/**
 * The 256-byte text block of `30 01`/`30 10`: UCS-2LE, fixed-width fields padded with U+0020.
 * The UTF-16 character at offset 248 tells the card type: 'I' foreign permanent resident 2017,
 * 'J' HK/Macau/Taiwan residence permit, 'Y' foreign permanent resident 2023, anything else a
 * resident ID. Decoding is pure and never throws; problems come back as warnings.
 * Encoding (the simulator's side) throws on fields that do not fit.
 */
import type { DecodeResult } from './frame.js';
import { TEXT_BYTES } from './commands.js';
import {
  isValidDate,
  previousForeignNumber,
  validateForeign2017Number,
  validateIdNumber18,
  type IdNumberCheck,
} from './id-number.js';

export const cardTypes = ['resident', 'hk-macau-taiwan', 'foreign-2017', 'foreign-2023'] as const;
export type CardType = (typeof cardTypes)[number];

export const cardTypeLabels: Record<CardType, { zh: string; en: string }> = {
  resident: { zh: '居民身份证', en: 'resident identity card' },
  'hk-macau-taiwan': { zh: '港澳台居民居住证', en: 'HK/Macau/Taiwan residence permit' },
  'foreign-2017': { zh: '外国人永久居留身份证（2017版）', en: 'foreign permanent resident ID (2017)' },
  'foreign-2023': { zh: '外国人永久居留身份证（2023版）', en: 'foreign permanent resident ID (2023)' },
};

/** GB/T 2261.1 codes. */
export const sexes = ['unknown', 'male', 'female', 'unspecified'] as const;
export type Sex = (typeof sexes)[number];
const sexByCode: Record<string, Sex> = { '0': 'unknown', '1': 'male', '2': 'female', '9': 'unspecified' };
const codeBySex: Record<Sex, string> = { unknown: '0', male: '1', female: '2', unspecified: '9' };
export const sexLabels: Record<Sex, { zh: string; en: string }> = {
  unknown: { zh: '未知', en: 'unknown' },
  male: { zh: '男', en: 'male' },
  female: { zh: '女', en: 'female' },
  unspecified: { zh: '未说明', en: 'unspecified' },
};

/** GB/T 3304 nation codes. */
export const nations: Readonly<Record<string, string>> = {
  '01': '汉',
  '02': '蒙古',
  '03': '回',
  '04': '藏',
  '05': '维吾尔',
  '06': '苗',
  '07': '彝',
  '08': '壮',
  '09': '布依',
  '10': '朝鲜',
  '11': '满',
  '12': '侗',
  '13': '瑶',
  '14': '白',
  '15': '土家',
  '16': '哈尼',
  '17': '哈萨克',
  '18': '傣',
  '19': '黎',
  '20': '傈僳',
  '21': '佤',
  '22': '畲',
  '23': '高山',
  '24': '拉祜',
  '25': '水',
  '26': '东乡',
  '27': '纳西',
  '28': '景颇',
  '29': '柯尔克孜',
  '30': '土',
  '31': '达斡尔',
  '32': '仫佬',
  '33': '羌',
  '34': '布朗',
  '35': '撒拉',
  '36': '毛南',
  '37': '仡佬',
  '38': '锡伯',
  '39': '阿昌',
  '40': '普米',
  '41': '塔吉克',
  '42': '怒',
  '43': '乌孜别克',
  '44': '俄罗斯',
  '45': '鄂温克',
  '46': '德昂',
  '47': '保安',
  '48': '裕固',
  '49': '京',
  '50': '塔塔尔',
  '51': '独龙',
  '52': '鄂伦春',
  '53': '赫哲',
  '54': '门巴',
  '55': '珞巴',
  '56': '基诺',
  '97': '其他',
  '98': '外国血统中国籍人士',
};

export const LONG_TERM = 'long-term';
const LONG_TERM_ZH = '长期';

interface Common {
  /** Chinese name where the card has one (the 2017 foreign card may leave it blank). */
  name: string;
  sex: Sex;
  /** YYYY-MM-DD */
  birthDate: string;
  /** The card's own number: 18 characters, or 15 on the 2017 foreign card. */
  idNumber: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** YYYY-MM-DD or `long-term` (长期). */
  validTo: string;
}

export interface ResidentCard extends Common {
  cardType: 'resident';
  nationCode: string;
  /** Chinese nation name from the code table, e.g. 汉. */
  nation: string;
  address: string;
  issuer: string;
}

export interface HkMacauTaiwanCard extends Common {
  cardType: 'hk-macau-taiwan';
  address: string;
  issuer: string;
  /** 港澳/台湾居民来往内地通行证号码, 9 characters. */
  permitNumber: string;
  /** 签发次数, 2 characters. */
  issueCount: string;
}

export interface Foreign2017Card extends Common {
  cardType: 'foreign-2017';
  englishName: string;
  /** GB/T 2659 alpha-3, e.g. GBR. */
  nationality: string;
  /** 证件版本号, 2 characters. */
  cardVersion: string;
  /** 当次申请受理机关代码 (4 characters; vendor SDKs map it to an office name). */
  issuer: string;
}

export interface Foreign2023Card extends Common {
  cardType: 'foreign-2023';
  englishName: string;
  nationality: string;
  /** 换证次数, 2 characters. */
  renewalCount: string;
  /** 3 characters linking to the 2017-style number, blank if none. */
  previousNumberLink: string;
  /** The previous 15-character number rebuilt from the link, when there is one. */
  previousIdNumber?: string;
}

export type IdCard = ResidentCard | HkMacauTaiwanCard | Foreign2017Card | Foreign2023Card;

/** What the simulator needs to build a text block (derived fields optional). */
export type CardFields =
  | (Omit<ResidentCard, 'nation'> & { nation?: string })
  | HkMacauTaiwanCard
  | Foreign2017Card
  | (Omit<Foreign2023Card, 'previousIdNumber'> & { previousIdNumber?: string });

export type CardWarningCode =
  'idNumberFormat' | 'checkDigit' | 'idBirthDate' | 'birthMismatch' | 'date' | 'sexCode' | 'nationCode' | 'addressCode';

/** A problem with the card's data. Never contains the data itself (logs carry warnings). */
export interface CardWarning {
  code: CardWarningCode;
  field: string;
  zh: string;
  en: string;
}

export type DecodedCard = IdCard & { warnings: CardWarning[] };

interface FieldSpec {
  off: number;
  len: number;
}

const F = (off: number, len: number): FieldSpec => ({ off, len });

const layouts = {
  resident: {
    name: F(0, 30),
    sex: F(30, 2),
    nationCode: F(32, 4),
    birthDate: F(36, 16),
    address: F(52, 70),
    idNumber: F(122, 36),
    issuer: F(158, 30),
    validFrom: F(188, 16),
    validTo: F(204, 16),
  },
  'hk-macau-taiwan': {
    name: F(0, 30),
    sex: F(30, 2),
    birthDate: F(36, 16),
    address: F(52, 70),
    idNumber: F(122, 36),
    issuer: F(158, 30),
    validFrom: F(188, 16),
    validTo: F(204, 16),
    permitNumber: F(220, 18),
    issueCount: F(238, 4),
  },
  'foreign-2017': {
    englishName: F(0, 120),
    sex: F(120, 2),
    idNumber: F(122, 30),
    nationality: F(152, 6),
    name: F(158, 30),
    validFrom: F(188, 16),
    validTo: F(204, 16),
    birthDate: F(220, 16),
    cardVersion: F(236, 4),
    issuer: F(240, 8),
  },
  'foreign-2023': {
    name: F(0, 30),
    sex: F(30, 2),
    renewalCount: F(32, 4),
    birthDate: F(36, 16),
    englishName1: F(52, 70),
    idNumber: F(122, 36),
    validFrom: F(188, 16),
    validTo: F(204, 16),
    englishName2: F(220, 22),
    nationality: F(242, 6),
    previousNumberLink: F(250, 6),
  },
} as const satisfies Record<CardType, Record<string, FieldSpec>>;

const FLAG_OFFSET = 248;
const flags: Partial<Record<CardType, string>> = { 'hk-macau-taiwan': 'J', 'foreign-2017': 'I', 'foreign-2023': 'Y' };

/** Card type from the flag character at offset 248. */
export function detectCardType(text: Uint8Array): CardType {
  if (text.length < FLAG_OFFSET + 2) return 'resident';
  const ch = String.fromCharCode(text[FLAG_OFFSET]! | (text[FLAG_OFFSET + 1]! << 8));
  if (ch === 'J') return 'hk-macau-taiwan';
  if (ch === 'I') return 'foreign-2017';
  if (ch === 'Y') return 'foreign-2023';
  return 'resident';
}

/** UCS-2LE → string, NULs removed, surrounding spaces trimmed. */
export function decodeUcs2(bytes: Uint8Array, trim = true): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength - (bytes.byteLength % 2))
    .toString('utf16le')
    // eslint-disable-next-line no-control-regex -- fields are NUL-padded UCS-2
    .replace(/\u0000/g, '');
  return trim ? s.replace(/^[\u0020\u3000]+|[\u0020\u3000]+$/g, '') : s;
}

function raw(text: Uint8Array, f: FieldSpec, trim = true): string {
  return decodeUcs2(text.subarray(f.off, f.off + f.len), trim);
}

function warning(code: CardWarningCode, field: string, zh: string, en: string): CardWarning {
  return { code, field, zh, en };
}

function decodeDate(value: string, field: string, warnings: CardWarning[], allowLongTerm = false): string {
  if (allowLongTerm && value === LONG_TERM_ZH) return LONG_TERM;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (m && isValidDate(Number(m[1]), Number(m[2]), Number(m[3]))) return `${m[1]}-${m[2]}-${m[3]}`;
  warnings.push(warning('date', field, `${field} 不是有效日期`, `${field} is not a valid YYYYMMDD date`));
  return value;
}

function decodeSex(code: string, warnings: CardWarning[]): Sex {
  const s = sexByCode[code];
  if (s) return s;
  warnings.push(warning('sexCode', 'sex', '性别代码无效', 'sex code is not one of 0, 1, 2, 9'));
  return 'unknown';
}

function idWarnings(check: IdNumberCheck, warnings: CardWarning[]): void {
  if (check.valid) return;
  if (check.problem === 'checkDigit') {
    warnings.push(warning('checkDigit', 'idNumber', '证件号码校验码错误', 'ID number check digit does not match'));
  } else if (check.problem === 'birthDate') {
    warnings.push(warning('idBirthDate', 'idNumber', '证件号码中的出生日期无效', 'birth date inside the ID number is invalid'));
  } else {
    warnings.push(warning('idNumberFormat', 'idNumber', '证件号码格式错误', 'ID number format is invalid'));
  }
}

function birthMatches(id18: string, birthDate: string, warnings: CardWarning[]): void {
  if (!/^\d{17}[\dX]$/i.test(id18) || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return;
  if (id18.slice(6, 14) !== birthDate.replace(/-/g, '')) {
    warnings.push(warning('birthMismatch', 'birthDate', '出生日期与证件号码不一致', 'birth date differs from the ID number'));
  }
}

/** Decodes a 256-byte text block into a typed card. Never throws. */
export function decodeText(text: Uint8Array): DecodeResult<DecodedCard> {
  if (text.length !== TEXT_BYTES) {
    return { ok: false, error: { code: 'malformed', message: `text block is ${text.length} bytes, expected 256`, discarded: 0 } };
  }
  const warnings: CardWarning[] = [];
  const type = detectCardType(text);
  let card: IdCard;
  switch (type) {
    case 'resident': {
      const L = layouts.resident;
      const nationCode = raw(text, L.nationCode);
      let nation = nations[nationCode];
      if (!nation) {
        warnings.push(warning('nationCode', 'nation', '民族代码无效', 'nation code is not in GB/T 3304'));
        nation = nationCode;
      }
      card = {
        cardType: 'resident',
        name: raw(text, L.name),
        sex: decodeSex(raw(text, L.sex), warnings),
        nationCode,
        nation,
        birthDate: decodeDate(raw(text, L.birthDate), 'birthDate', warnings),
        address: raw(text, L.address),
        idNumber: raw(text, L.idNumber).toUpperCase(),
        issuer: raw(text, L.issuer),
        validFrom: decodeDate(raw(text, L.validFrom), 'validFrom', warnings),
        validTo: decodeDate(raw(text, L.validTo), 'validTo', warnings, true),
      };
      idWarnings(validateIdNumber18(card.idNumber), warnings);
      birthMatches(card.idNumber, card.birthDate, warnings);
      break;
    }
    case 'hk-macau-taiwan': {
      const L = layouts['hk-macau-taiwan'];
      card = {
        cardType: 'hk-macau-taiwan',
        name: raw(text, L.name),
        sex: decodeSex(raw(text, L.sex), warnings),
        birthDate: decodeDate(raw(text, L.birthDate), 'birthDate', warnings),
        address: raw(text, L.address),
        idNumber: raw(text, L.idNumber).toUpperCase(),
        issuer: raw(text, L.issuer),
        validFrom: decodeDate(raw(text, L.validFrom), 'validFrom', warnings),
        validTo: decodeDate(raw(text, L.validTo), 'validTo', warnings, true),
        permitNumber: raw(text, L.permitNumber),
        issueCount: raw(text, L.issueCount),
      };
      idWarnings(validateIdNumber18(card.idNumber), warnings);
      birthMatches(card.idNumber, card.birthDate, warnings);
      if (!/^8[123]0000/.test(card.idNumber)) {
        warnings.push(
          warning(
            'addressCode',
            'idNumber',
            '居住证号码地址码应为 810000/820000/830000',
            'permit number should start with 810000, 820000 or 830000',
          ),
        );
      }
      break;
    }
    case 'foreign-2017': {
      const L = layouts['foreign-2017'];
      card = {
        cardType: 'foreign-2017',
        name: raw(text, L.name),
        englishName: raw(text, L.englishName),
        sex: decodeSex(raw(text, L.sex), warnings),
        idNumber: raw(text, L.idNumber).toUpperCase(),
        nationality: raw(text, L.nationality),
        birthDate: decodeDate(raw(text, L.birthDate), 'birthDate', warnings),
        validFrom: decodeDate(raw(text, L.validFrom), 'validFrom', warnings),
        validTo: decodeDate(raw(text, L.validTo), 'validTo', warnings, true),
        cardVersion: raw(text, L.cardVersion),
        issuer: raw(text, L.issuer),
      };
      idWarnings(validateForeign2017Number(card.idNumber), warnings);
      break;
    }
    case 'foreign-2023': {
      const L = layouts['foreign-2023'];
      const englishName = (raw(text, L.englishName1, false) + raw(text, L.englishName2, false)).trim();
      const nationality = raw(text, L.nationality);
      const idNumber = raw(text, L.idNumber).toUpperCase();
      const link = raw(text, L.previousNumberLink);
      const c: Foreign2023Card = {
        cardType: 'foreign-2023',
        name: raw(text, L.name),
        englishName,
        sex: decodeSex(raw(text, L.sex), warnings),
        renewalCount: raw(text, L.renewalCount),
        birthDate: decodeDate(raw(text, L.birthDate), 'birthDate', warnings),
        idNumber,
        nationality,
        validFrom: decodeDate(raw(text, L.validFrom), 'validFrom', warnings),
        validTo: decodeDate(raw(text, L.validTo), 'validTo', warnings, true),
        previousNumberLink: link,
      };
      const previous = previousForeignNumber(idNumber, nationality, link);
      if (previous) c.previousIdNumber = previous;
      card = c;
      idWarnings(validateIdNumber18(idNumber), warnings);
      birthMatches(idNumber, c.birthDate, warnings);
      if (!idNumber.startsWith('9')) {
        warnings.push(
          warning(
            'idNumberFormat',
            'idNumber',
            '2023版永久居留身份证号码应以 9 开头',
            '2023 permanent resident numbers start with 9',
          ),
        );
      }
      break;
    }
  }
  return { ok: true, value: { ...card, warnings } };
}

/** True when the card's validity ended before `today` (YYYY-MM-DD). Long-term cards never expire. */
export function isExpired(card: Pick<IdCard, 'validTo'>, today: string): boolean {
  if (card.validTo === LONG_TERM || !/^\d{4}-\d{2}-\d{2}$/.test(card.validTo)) return false;
  return card.validTo < today;
}

// ---- encoding (simulator) --------------------------------------------------------------------

export class CardEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardEncodeError';
  }
}

function put(block: Buffer, f: FieldSpec, value: string, field: string): void {
  const bytes = Buffer.from(value, 'utf16le');
  if (bytes.length > f.len) {
    throw new CardEncodeError(`${field} is ${value.length} characters; the card holds at most ${f.len / 2}`);
  }
  bytes.copy(block, f.off);
}

function encodeDate(value: string, field: string, allowLongTerm = false): string {
  if (allowLongTerm && (value === LONG_TERM || value === LONG_TERM_ZH)) return LONG_TERM_ZH;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value);
  if (!m) throw new CardEncodeError(`${field} must be YYYY-MM-DD${allowLongTerm ? ' or long-term' : ''}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** Builds the 256-byte text block for a card (fields are written as given; nothing is validated beyond fit). */
export function encodeText(card: CardFields): Buffer {
  const block = Buffer.alloc(TEXT_BYTES);
  for (let i = 0; i < TEXT_BYTES; i += 2) block[i] = 0x20;
  const sex = codeBySex[card.sex];
  if (!sex) throw new CardEncodeError(`sex must be one of ${sexes.join(', ')}`);
  switch (card.cardType) {
    case 'resident': {
      const L = layouts.resident;
      put(block, L.name, card.name, 'name');
      put(block, L.sex, sex, 'sex');
      put(block, L.nationCode, card.nationCode, 'nationCode');
      put(block, L.birthDate, encodeDate(card.birthDate, 'birthDate'), 'birthDate');
      put(block, L.address, card.address, 'address');
      put(block, L.idNumber, card.idNumber, 'idNumber');
      put(block, L.issuer, card.issuer, 'issuer');
      put(block, L.validFrom, encodeDate(card.validFrom, 'validFrom'), 'validFrom');
      put(block, L.validTo, encodeDate(card.validTo, 'validTo', true), 'validTo');
      break;
    }
    case 'hk-macau-taiwan': {
      const L = layouts['hk-macau-taiwan'];
      put(block, L.name, card.name, 'name');
      put(block, L.sex, sex, 'sex');
      put(block, L.birthDate, encodeDate(card.birthDate, 'birthDate'), 'birthDate');
      put(block, L.address, card.address, 'address');
      put(block, L.idNumber, card.idNumber, 'idNumber');
      put(block, L.issuer, card.issuer, 'issuer');
      put(block, L.validFrom, encodeDate(card.validFrom, 'validFrom'), 'validFrom');
      put(block, L.validTo, encodeDate(card.validTo, 'validTo', true), 'validTo');
      put(block, L.permitNumber, card.permitNumber, 'permitNumber');
      put(block, L.issueCount, card.issueCount, 'issueCount');
      break;
    }
    case 'foreign-2017': {
      const L = layouts['foreign-2017'];
      put(block, L.englishName, card.englishName, 'englishName');
      put(block, L.sex, sex, 'sex');
      put(block, L.idNumber, card.idNumber, 'idNumber');
      put(block, L.nationality, card.nationality, 'nationality');
      put(block, L.name, card.name, 'name');
      put(block, L.validFrom, encodeDate(card.validFrom, 'validFrom'), 'validFrom');
      put(block, L.validTo, encodeDate(card.validTo, 'validTo', true), 'validTo');
      put(block, L.birthDate, encodeDate(card.birthDate, 'birthDate'), 'birthDate');
      put(block, L.cardVersion, card.cardVersion, 'cardVersion');
      put(block, L.issuer, card.issuer, 'issuer');
      break;
    }
    case 'foreign-2023': {
      const L = layouts['foreign-2023'];
      const first = L.englishName1.len / 2;
      if (card.englishName.length > first + L.englishName2.len / 2) {
        throw new CardEncodeError(`englishName is ${card.englishName.length} characters; the card holds at most 46`);
      }
      put(block, L.name, card.name, 'name');
      put(block, L.sex, sex, 'sex');
      put(block, L.renewalCount, card.renewalCount, 'renewalCount');
      put(block, L.birthDate, encodeDate(card.birthDate, 'birthDate'), 'birthDate');
      put(block, L.englishName1, card.englishName.slice(0, first), 'englishName');
      put(block, L.englishName2, card.englishName.slice(first), 'englishName');
      put(block, L.idNumber, card.idNumber, 'idNumber');
      put(block, L.validFrom, encodeDate(card.validFrom, 'validFrom'), 'validFrom');
      put(block, L.validTo, encodeDate(card.validTo, 'validTo', true), 'validTo');
      put(block, L.nationality, card.nationality, 'nationality');
      put(block, L.previousNumberLink, card.previousNumberLink, 'previousNumberLink');
      break;
    }
  }
  const flag = flags[card.cardType];
  if (flag) block.write(flag, FLAG_OFFSET, 'utf16le');
  return block;
}
