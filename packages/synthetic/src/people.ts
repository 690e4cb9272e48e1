import type { Property, PropertyStatus, SocialRecord, TaxRecord } from '@kiosk/contracts/upstream';
import { isValidIdNumber, makeIdNumber, sexOfIdNumber } from './idnumber.js';
import { Rng } from './prng.js';

/**
 * Synthetic people and their records, generated from a seed so every run and every machine sees
 * the same data. Pure: no I/O, no clock (the caller passes `asOf`, the last date records may carry).
 *
 * Names are ordinary Chinese names and id numbers are valid in format and check digit; the pairs
 * are invented. Nothing here is copied from a real person.
 */

export const DEFAULT_SEED = 'xianning-24h-sandbox-v1';

export interface District {
  code: string;
  name: string;
  /** The registry name printed in certificate numbers (咸安区 is registered by the city). */
  registry: string;
  taxAuthority: string;
  court: { name: string; code: string };
  streets: readonly string[];
}

/** 咸宁 (4212xx) county-level divisions. */
export const DISTRICTS: readonly District[] = [
  {
    code: '421202',
    name: '咸安区',
    registry: '咸宁市',
    taxAuthority: '国家税务总局咸宁市咸安区税务局',
    court: { name: '咸宁市咸安区人民法院', code: '鄂1202' },
    streets: ['温泉路', '金桂路', '银泉大道', '贺胜路', '咸宁大道', '永安大道', '青龙路', '双鹤路', '旗鼓大道'],
  },
  {
    code: '421221',
    name: '嘉鱼县',
    registry: '嘉鱼县',
    taxAuthority: '国家税务总局嘉鱼县税务局',
    court: { name: '嘉鱼县人民法院', code: '鄂1221' },
    streets: ['沙阳大道', '鱼岳大道', '迎宾路', '滨湖路'],
  },
  {
    code: '421222',
    name: '通城县',
    registry: '通城县',
    taxAuthority: '国家税务总局通城县税务局',
    court: { name: '通城县人民法院', code: '鄂1222' },
    streets: ['隽水大道', '银山路', '玉立大道', '通城大道'],
  },
  {
    code: '421223',
    name: '崇阳县',
    registry: '崇阳县',
    taxAuthority: '国家税务总局崇阳县税务局',
    court: { name: '崇阳县人民法院', code: '鄂1223' },
    streets: ['天城大道', '桃溪大道', '白霓路', '隽水路'],
  },
  {
    code: '421224',
    name: '通山县',
    registry: '通山县',
    taxAuthority: '国家税务总局通山县税务局',
    court: { name: '通山县人民法院', code: '鄂1224' },
    streets: ['通羊大道', '九宫大道', '新城路', '凤池路'],
  },
  {
    code: '421281',
    name: '赤壁市',
    registry: '赤壁市',
    taxAuthority: '国家税务总局赤壁市税务局',
    court: { name: '赤壁市人民法院', code: '鄂1281' },
    streets: ['赤壁大道', '河北大道', '蒲圻大道', '砂子岭路', '金鸾路'],
  },
];

const districtByCode = new Map(DISTRICTS.map((d) => [d.code, d]));

/** The district for an id number's first six digits, or 咸安区 for people born elsewhere. */
export function districtFor(areaCode: string): District {
  return districtByCode.get(areaCode) ?? (DISTRICTS[0] as District);
}

const SURNAMES = Array.from(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹熊秦江尹雷龙陶贺毛万严覃戴',
);
const GIVEN = Array.from(
  '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红兰玉梅文斌辉鹏飞春燕晓丹宇浩然欣怡子涵思远婷雪琳佳慧俊峰德福海燕凤莲',
);
const ESTATES = [
  '金桂花园',
  '温泉丽景',
  '银泉小区',
  '翡翠华庭',
  '滨江公馆',
  '香城名苑',
  '桂乡苑',
  '嘉和家园',
  '阳光新城',
  '锦绣江南',
  '书香门第',
  '和谐家园',
];
const BANKS = [
  '中国建设银行股份有限公司咸宁分行',
  '中国工商银行股份有限公司咸宁分行',
  '中国农业银行股份有限公司咸宁分行',
  '中国银行股份有限公司咸宁分行',
  '湖北银行股份有限公司咸宁分行',
  '咸宁农村商业银行股份有限公司',
  '中国邮政储蓄银行股份有限公司咸宁市分行',
];

export type RecordProfile = 'many' | 'normal' | 'none';

export interface SyntheticPerson {
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  areaCode: string;
  /** generated, or taken from the ID card simulator's built-in profiles. */
  source: 'generated' | 'idcard-profile';
  profile: RecordProfile;
  properties: Property[];
  tax: TaxRecord[];
  social: SocialRecord[];
}

/** A person the caller insists on (e.g. the ID card simulator's cards). */
export interface ExtraPerson {
  idNumber: string;
  name: string;
  /** 'none' gives them no records at all; otherwise they get properties, tax and social records. */
  records: 'full' | 'none';
}

export interface GasAccountSeed {
  accountNo: string;
  cardNo: string | null;
  holderName: string;
  address: string;
  meterType: 'iot' | 'ic-card';
  status: 'normal' | 'suspended';
  /** IoT: prepaid balance (negative = arrears). IC: null. */
  balanceFen: number | null;
  /** IC-card arrears (e.g. unpaid service fees); IoT arrears come from a negative balance. */
  arrearsFen: number;
  purchaseCount: number | null;
  lastPurchase: { amountFen: number; volumeM3: number; purchasedAt: string } | null;
  unitPriceFen: number;
  minAmountFen: number;
  maxAmountFen: number;
  /** Monthly purchase cap; null = none. */
  monthlyCapFen: number | null;
}

export interface SyntheticData {
  seed: string;
  asOf: string;
  people: SyntheticPerson[];
  gasAccounts: GasAccountSeed[];
}

export interface GenerateOptions {
  seed?: string;
  /** YYYY-MM-DD: records are dated on or before this day. */
  asOf: string;
  /** How many generated people (the extra people come on top). Default 60. */
  count?: number;
  extraPeople?: readonly ExtraPerson[];
}

export const GAS_COMPANY = '昆仑燃气咸宁分公司';
/** ¥2.88 per m³ (synthetic residential tariff). */
export const GAS_UNIT_PRICE_FEN = 288;
const GAS_MIN_FEN = 1_000;
const GAS_MAX_FEN = 200_000;

/**
 * Fixed gas accounts for demos and for the gas card simulator's built-in cards: their numbers
 * never change, whatever the seed.
 */
export const DEMO_GAS_ACCOUNTS = {
  iot: { accountNo: '8800100001', cardNo: null },
  iotArrears: { accountNo: '8800100002', cardNo: null },
  icCard: { accountNo: '8800200001', cardNo: '9100000000200001' },
  icCardNew: { accountNo: '8800200002', cardNo: '9100000000200002' },
  suspended: { accountNo: '8800900001', cardNo: null },
} as const;

const pad2 = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad2(m)}-${pad2(d)}`;
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
const VERIFY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function code(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(Array.from(VERIFY_ALPHABET));
  return s;
}

function randomDate(rng: Rng, fromYear: number, asOf: string): string {
  const [ay, am, ad] = asOf.split('-').map(Number) as [number, number, number];
  const y = rng.int(fromYear, ay);
  const m = rng.int(1, y === ay ? am : 12);
  const d = rng.int(1, y === ay && m === am ? ad : daysIn(y, m));
  return ymd(y, m, d);
}

export function makeName(rng: Rng): string {
  const surname = rng.pick(SURNAMES);
  const given = rng.chance(0.3) ? rng.pick(GIVEN) : rng.pick(GIVEN) + rng.pick(GIVEN);
  return surname + given;
}

/** Unique-value helper: generators retry until a value is new. */
class Unique {
  private seen = new Set<string>();
  take(make: () => string): string {
    for (let i = 0; i < 1000; i++) {
      const v = make();
      if (!this.seen.has(v)) {
        this.seen.add(v);
        return v;
      }
    }
    throw new Error('could not find a unique value');
  }
  reserve(v: string): void {
    this.seen.add(v);
  }
}

interface Ctx {
  asOf: string;
  year: number;
  certs: Unique;
  vouchers: Unique;
}

function makeProperty(rng: Rng, ctx: Ctx, district: District): Property {
  const kind = rng.pick(['住宅', '住宅', '住宅', '住宅', '车位', '商业', '办公'] as const);
  const registeredOn = randomDate(rng, 2005, ctx.asOf);
  const regYear = Number(registeredOn.slice(0, 4));
  const street = rng.pick(district.streets);
  const estate = rng.pick(ESTATES);
  const base = `咸宁市${district.name}${street}${rng.int(1, 399)}号${estate}`;
  let location: string;
  let areaM2: number;
  let unitTail: string;
  if (kind === '车位') {
    const slot = rng.int(1, 480);
    location = `${base}地下车库B${rng.int(1, 2)}-${slot}号车位`;
    areaM2 = rng.int(1200, 3500) / 100;
    unitTail = `0000${String(slot).padStart(4, '0')}`;
  } else if (kind === '商业') {
    const shop = rng.int(101, 130);
    location = `${base}1层商铺${shop}号`;
    areaM2 = rng.int(3000, 20000) / 100;
    unitTail = `0001${String(shop).padStart(4, '0')}`;
  } else {
    const bldg = rng.int(1, 28);
    const room = rng.int(1, 33) * 100 + rng.int(1, 4);
    location = `${base}${bldg}栋${rng.int(1, 4)}单元${room}室`;
    areaM2 = kind === '办公' ? rng.int(4000, 30000) / 100 : rng.int(5500, 16500) / 100;
    unitTail = `${String(bldg).padStart(4, '0')}${String(room).padStart(4, '0')}`;
  }
  const rural = district.code !== '421202' && kind === '住宅' && rng.chance(0.15);
  return {
    certificateNo: ctx.certs.take(() => `鄂(${regYear})${district.registry}不动产权第${rng.digits(7)}号`),
    unitNumber: `${district.code}${rng.digits(6)}${rural ? 'JC' : 'GB'}${rng.digits(5)}F${unitTail}`,
    location: rural
      ? `咸宁市${district.name}${rng.pick(['白沙', '马桥', '汀泗', '官埠', '横沟'])}村${rng.int(1, 12)}组${rng.int(1, 99)}号`
      : location,
    district: { code: district.code, name: district.name },
    areaM2,
    usage: rural ? '住宅' : kind === '车位' ? '车位' : kind,
    rightType: rural ? '宅基地使用权/房屋所有权' : '国有建设用地使用权/房屋所有权',
    ownership: rng.pick(['单独所有', '单独所有', '共同共有', '按份共有']),
    registeredOn,
    statuses: [],
  };
}

function after(rng: Rng, ctx: Ctx, from: string): string {
  const y = Number(from.slice(0, 4));
  const d = randomDate(rng, Math.min(y + 1, ctx.year), ctx.asOf);
  return d < from ? from : d;
}

function plusYears(date: string, years: number): string {
  return `${Number(date.slice(0, 4)) + years}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
}

function mortgage(rng: Rng, ctx: Ctx, p: Property, district: District): PropertyStatus {
  const registeredOn = after(rng, ctx, p.registeredOn);
  return {
    type: 'mortgage',
    label: '抵押',
    mortgagee: rng.pick(BANKS),
    amountFen: rng.int(10, 120) * 10_000 * 100,
    certificateNo: ctx.certs.take(() => `鄂(${registeredOn.slice(0, 4)})${district.registry}不动产证明第${rng.digits(7)}号`),
    registeredOn,
    termStart: registeredOn,
    termEnd: plusYears(registeredOn, rng.pick([10, 15, 20, 25, 30])),
  };
}

function seizure(rng: Rng, ctx: Ctx, p: Property, district: District): PropertyStatus {
  const registeredOn = after(rng, ctx, p.registeredOn);
  const court = rng.chance(0.2) ? { name: '湖北省咸宁市中级人民法院', code: '鄂12' } : district.court;
  return {
    type: 'seizure',
    label: '查封',
    authority: court.name,
    documentNo: `(${registeredOn.slice(0, 4)})${court.code}执${rng.int(100, 4999)}号`,
    registeredOn,
    termEnd: plusYears(registeredOn, 3),
  };
}

function objection(rng: Rng, ctx: Ctx, p: Property): PropertyStatus {
  return { type: 'objection', label: '异议', registeredOn: after(rng, ctx, p.registeredOn), note: '利害关系人申请异议登记' };
}

function advanceNotice(rng: Rng, ctx: Ctx, p: Property): PropertyStatus {
  return {
    type: 'advance_notice',
    label: '预告',
    registeredOn: after(rng, ctx, p.registeredOn),
    note: rng.pick(['预购商品房买卖预告登记', '预购商品房抵押权预告登记']),
  };
}

function properties(rng: Rng, ctx: Ctx, district: District, profile: RecordProfile): Property[] {
  const n = profile === 'none' ? 0 : profile === 'many' ? rng.int(4, 7) : rng.chance(0.35) ? 0 : rng.int(1, 2);
  const list: Property[] = [];
  for (let i = 0; i < n; i++) {
    const d = rng.chance(0.7) ? district : rng.pick(DISTRICTS);
    const p = makeProperty(rng, ctx, d);
    if (rng.chance(0.35)) p.statuses.push(mortgage(rng, ctx, p, d));
    if (rng.chance(0.06)) p.statuses.push(seizure(rng, ctx, p, d));
    if (rng.chance(0.04)) p.statuses.push(objection(rng, ctx, p));
    if (rng.chance(0.06)) p.statuses.push(advanceNotice(rng, ctx, p));
    list.push(p);
  }
  return list.sort((a, b) => a.registeredOn.localeCompare(b.registeredOn));
}

function taxRecords(rng: Rng, ctx: Ctx, district: District, profile: RecordProfile, props: Property[]): TaxRecord[] {
  if (profile === 'none') return [];
  const out: TaxRecord[] = [];
  const push = (r: Omit<TaxRecord, 'voucherNo' | 'verificationCode' | 'taxAuthority'>) => {
    if (r.paidOn > ctx.asOf) return;
    out.push({
      voucherNo: ctx.vouchers.take(() => `342${rng.digits(15)}`),
      taxAuthority: district.taxAuthority,
      verificationCode: code(rng, 12),
      ...r,
    });
  };
  const salaried = profile === 'many' || rng.chance(0.55);
  const firstYear = ctx.year - (profile === 'many' ? 5 : rng.int(0, 4));
  if (salaried) {
    const monthlyFen = rng.int(300, profile === 'many' ? 250_000 : 60_000);
    for (let y = firstYear; y <= ctx.year; y++) {
      for (let m = 1; m <= 12; m++) {
        if (profile !== 'many' && rng.chance(0.1)) continue;
        const paidY = m === 12 ? y + 1 : y;
        const paidM = m === 12 ? 1 : m + 1;
        push({
          taxType: '个人所得税',
          taxItem: '工资薪金所得',
          periodStart: ymd(y, m, 1),
          periodEnd: ymd(y, m, daysIn(y, m)),
          amountFen: Math.max(0, monthlyFen + rng.int(-Math.floor(monthlyFen / 5), Math.floor(monthlyFen / 5))),
          paidOn: ymd(paidY, paidM, rng.int(8, 15)),
        });
      }
    }
  }
  if (profile === 'many' || rng.chance(0.2)) {
    for (let k = rng.int(1, 3); k > 0; k--) {
      const paidOn = randomDate(rng, ctx.year - 3, ctx.asOf);
      const y = Number(paidOn.slice(0, 4));
      const m = Number(paidOn.slice(5, 7));
      push({
        taxType: '个人所得税',
        taxItem: '劳务报酬所得',
        periodStart: ymd(y, m, 1),
        periodEnd: ymd(y, m, daysIn(y, m)),
        amountFen: rng.int(2_000, 300_000),
        paidOn,
      });
    }
  }
  for (const p of props) {
    // 契税 when the property was registered recently enough to be in the tax window.
    const y = Number(p.registeredOn.slice(0, 4));
    if (y >= ctx.year - 5) {
      push({
        taxType: '契税',
        taxItem: p.usage === '住宅' ? '房屋买卖' : '非住房买卖',
        periodStart: p.registeredOn,
        periodEnd: p.registeredOn,
        amountFen: Math.round(p.areaM2 * rng.int(60, 180) * 100),
        paidOn: p.registeredOn,
      });
    }
    if (p.usage === '商业' || p.usage === '办公') {
      for (let yy = Math.max(y + 1, ctx.year - 5); yy <= ctx.year; yy++) {
        push({
          taxType: '房产税',
          taxItem: '从租计征',
          periodStart: ymd(yy, 1, 1),
          periodEnd: ymd(yy, 12, 31),
          amountFen: Math.round(p.areaM2 * rng.int(800, 2400)),
          paidOn: ymd(yy, rng.int(4, 11), rng.int(1, 28)),
        });
      }
    }
  }
  return out.sort((a, b) => a.paidOn.localeCompare(b.paidOn) || a.voucherNo.localeCompare(b.voucherNo));
}

/** 城乡居民基本医疗保险 individual contribution per year, in yuan. */
const RESIDENT_MEDICAL_YUAN: Record<number, number> = {
  2019: 250,
  2020: 280,
  2021: 320,
  2022: 350,
  2023: 380,
  2024: 400,
  2025: 400,
  2026: 420,
  2027: 440,
};
const RESIDENT_GRADES_YUAN = [200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000, 3000];

function socialRecords(rng: Rng, ctx: Ctx, district: District, profile: RecordProfile): SocialRecord[] {
  if (profile === 'none') return [];
  const out: SocialRecord[] = [];
  const [ay, am] = ctx.asOf.split('-').map(Number) as [number, number];
  const resident = profile === 'many' || rng.chance(0.5);
  const flexible = profile === 'many' || rng.chance(0.25);
  if (resident) {
    const grade = rng.pick(RESIDENT_GRADES_YUAN);
    const gradeNo = RESIDENT_GRADES_YUAN.indexOf(grade) + 1;
    // many-record people switch to flexible employment halfway through the window.
    const lastYear = profile === 'many' ? ay - 3 : ay;
    for (let y = ay - 5; y <= lastYear; y++) {
      const paidM = y === ay ? rng.int(1, am) : rng.int(1, 12);
      const paidOn = ymd(y, paidM, rng.int(1, 28));
      if (paidOn > ctx.asOf) continue;
      const voucherNo = ctx.vouchers.take(() => `${district.code}${y}${rng.digits(8)}`);
      out.push({
        voucherNo,
        kind: 'resident',
        insuranceType: '城乡居民基本养老保险',
        periodStart: `${y}-01`,
        periodEnd: `${y}-12`,
        baseFen: null,
        grade: `第${gradeNo}档 ${grade}元/年`,
        amountFen: grade * 100,
        paidOn,
        collector: district.taxAuthority,
      });
      out.push({
        voucherNo: ctx.vouchers.take(() => `${district.code}${y}${rng.digits(8)}`),
        kind: 'resident',
        insuranceType: '城乡居民基本医疗保险',
        periodStart: `${y}-01`,
        periodEnd: `${y}-12`,
        baseFen: null,
        grade: '个人缴费',
        amountFen: (RESIDENT_MEDICAL_YUAN[y] ?? 400) * 100,
        paidOn,
        collector: district.taxAuthority,
      });
    }
  }
  if (flexible) {
    const baseYuan = rng.pick([3_900, 4_200, 4_500, 5_000, 6_000, 7_500]);
    const firstYear = profile === 'many' ? ay - 2 : ay - rng.int(0, 3);
    for (let y = firstYear; y <= ay; y++) {
      for (let m = 1; m <= 12; m++) {
        if (y === ay && m > am) break;
        const paidOn = ymd(y, m, rng.int(5, 25));
        if (paidOn > ctx.asOf) continue;
        const period = `${y}-${pad2(m)}`;
        for (const [type, rate] of [
          ['企业职工基本养老保险', 0.2],
          ['职工基本医疗保险', 0.08],
        ] as const) {
          out.push({
            voucherNo: ctx.vouchers.take(() => `7${rng.digits(19)}`),
            kind: 'flexible',
            insuranceType: type,
            periodStart: period,
            periodEnd: period,
            baseFen: baseYuan * 100,
            grade: null,
            amountFen: Math.round(baseYuan * 100 * rate),
            paidOn,
            collector: district.taxAuthority,
          });
        }
      }
    }
  }
  return out.sort((a, b) => a.paidOn.localeCompare(b.paidOn) || a.voucherNo.localeCompare(b.voucherNo));
}

function demoGasAccounts(people: readonly SyntheticPerson[], asOf: string): GasAccountSeed[] {
  const holder = (i: number) => (people[i % people.length] as SyntheticPerson).name;
  const addr = (i: number) => {
    const p = people[i % people.length] as SyntheticPerson;
    const d = districtFor(p.areaCode);
    return p.properties.find((x) => x.usage === '住宅')?.location ?? `咸宁市${d.name}${d.streets[0] ?? ''}${10 + i}号`;
  };
  const common = { unitPriceFen: GAS_UNIT_PRICE_FEN, minAmountFen: GAS_MIN_FEN, maxAmountFen: GAS_MAX_FEN };
  const lastPurchaseAt = `${asOf}T02:30:00.000Z`;
  return [
    {
      ...DEMO_GAS_ACCOUNTS.iot,
      holderName: holder(1),
      address: addr(1),
      meterType: 'iot',
      status: 'normal',
      balanceFen: 8_650,
      arrearsFen: 0,
      purchaseCount: null,
      lastPurchase: null,
      monthlyCapFen: null,
      ...common,
    },
    {
      ...DEMO_GAS_ACCOUNTS.iotArrears,
      holderName: holder(2),
      address: addr(2),
      meterType: 'iot',
      status: 'normal',
      balanceFen: -2_350,
      arrearsFen: 0,
      purchaseCount: null,
      lastPurchase: null,
      monthlyCapFen: null,
      ...common,
    },
    {
      ...DEMO_GAS_ACCOUNTS.icCard,
      holderName: holder(3),
      address: addr(3),
      meterType: 'ic-card',
      status: 'normal',
      balanceFen: null,
      arrearsFen: 0,
      purchaseCount: 7,
      lastPurchase: {
        amountFen: 10_000,
        volumeM3: Math.round((10_000 / GAS_UNIT_PRICE_FEN) * 100) / 100,
        purchasedAt: lastPurchaseAt,
      },
      monthlyCapFen: 300_000,
      ...common,
    },
    {
      ...DEMO_GAS_ACCOUNTS.icCardNew,
      holderName: holder(4),
      address: addr(4),
      meterType: 'ic-card',
      status: 'normal',
      balanceFen: null,
      arrearsFen: 0,
      purchaseCount: 0,
      lastPurchase: null,
      monthlyCapFen: 30_000,
      ...common,
    },
    {
      ...DEMO_GAS_ACCOUNTS.suspended,
      holderName: holder(5),
      address: addr(5),
      meterType: 'iot',
      status: 'suspended',
      balanceFen: 0,
      arrearsFen: 0,
      purchaseCount: null,
      lastPurchase: null,
      monthlyCapFen: null,
      ...common,
    },
  ];
}

function generatedGasAccounts(rng: Rng, people: readonly SyntheticPerson[], asOf: string, n: number): GasAccountSeed[] {
  const out: GasAccountSeed[] = [];
  const used = new Unique();
  for (const a of Object.values(DEMO_GAS_ACCOUNTS)) {
    used.reserve(a.accountNo);
    if (a.cardNo) used.reserve(a.cardNo);
  }
  for (let i = 0; i < n; i++) {
    const p = rng.pick(people);
    const ic = rng.chance(0.45);
    const district = districtFor(p.areaCode);
    const purchaseCount = ic ? rng.int(0, 40) : null;
    const amountFen = rng.int(5, 40) * 1_000;
    out.push({
      accountNo: used.take(() => `88${rng.int(3, 7)}${rng.digits(7)}`),
      cardNo: ic ? used.take(() => `91${rng.digits(14)}`) : null,
      holderName: p.name,
      address: `咸宁市${district.name}${rng.pick(district.streets)}${rng.int(1, 399)}号${rng.pick(ESTATES)}${rng.int(1, 28)}栋${rng.int(1, 33)}0${rng.int(1, 4)}室`,
      meterType: ic ? 'ic-card' : 'iot',
      status: rng.chance(0.05) ? 'suspended' : 'normal',
      balanceFen: ic ? null : rng.int(-8_000, 40_000),
      arrearsFen: ic && rng.chance(0.1) ? rng.int(1, 30) * 100 : 0,
      purchaseCount,
      lastPurchase:
        ic && purchaseCount
          ? {
              amountFen,
              volumeM3: Math.round((amountFen / GAS_UNIT_PRICE_FEN) * 100) / 100,
              purchasedAt: `${randomDate(rng, 2023, asOf)}T03:00:00.000Z`,
            }
          : null,
      unitPriceFen: GAS_UNIT_PRICE_FEN,
      minAmountFen: GAS_MIN_FEN,
      maxAmountFen: GAS_MAX_FEN,
      monthlyCapFen: ic ? 300_000 : null,
    });
  }
  return out;
}

/** Guarantees the cases tests and demos rely on, whatever the random draws gave. */
function ensureCoverage(rng: Rng, ctx: Ctx, people: SyntheticPerson[]): void {
  const normal = people.filter((p) => p.profile === 'normal' && p.source === 'generated');
  const wants: Array<(p: Property, d: District) => PropertyStatus> = [
    (p, d) => seizure(rng, ctx, p, d),
    (p, d) => seizure(rng, ctx, p, d),
    (p) => objection(rng, ctx, p),
    (p) => objection(rng, ctx, p),
    (p) => advanceNotice(rng, ctx, p),
    (p) => advanceNotice(rng, ctx, p),
    (p, d) => mortgage(rng, ctx, p, d),
  ];
  wants.forEach((make, i) => {
    const person = normal[i * 3] as SyntheticPerson;
    const d = districtFor(person.areaCode);
    if (person.properties.length === 0) person.properties.push(makeProperty(rng, ctx, d));
    const p = person.properties[0] as Property;
    const s = make(p, d);
    if (!p.statuses.some((x) => x.type === s.type)) p.statuses.push(s);
  });
  // One property carrying both a mortgage and a seizure, as after a defaulted loan.
  const target = normal[1] as SyntheticPerson;
  const d = districtFor(target.areaCode);
  if (target.properties.length === 0) target.properties.push(makeProperty(rng, ctx, d));
  const p = target.properties[0] as Property;
  if (!p.statuses.some((s) => s.type === 'mortgage')) p.statuses.push(mortgage(rng, ctx, p, d));
  if (!p.statuses.some((s) => s.type === 'seizure')) p.statuses.push(seizure(rng, ctx, p, d));
  for (const person of people)
    for (const prop of person.properties) prop.statuses.sort((a, b) => a.registeredOn.localeCompare(b.registeredOn));
}

export function generateSyntheticData(opts: GenerateOptions): SyntheticData {
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new Error('asOf must be YYYY-MM-DD');
  const root = new Rng(seed);
  const ctx: Ctx = { asOf: opts.asOf, year: Number(opts.asOf.slice(0, 4)), certs: new Unique(), vouchers: new Unique() };
  const ids = new Unique();
  const people: SyntheticPerson[] = [];

  for (const extra of opts.extraPeople ?? []) {
    if (!isValidIdNumber(extra.idNumber)) throw new Error('an extra person has an invalid id number');
    ids.reserve(extra.idNumber);
  }

  const count = opts.count ?? 60;
  const peopleRng = root.fork('people');
  for (let i = 0; i < count; i++) {
    const rng = peopleRng.fork(`person-${i}`);
    const district = rng.pick(DISTRICTS);
    const birthDate = ymd(rng.int(1942, 2004), rng.int(1, 12), rng.int(1, 28));
    const idNumber = ids.take(() => makeIdNumber(district.code, birthDate, rng.int(1, 999)));
    const name = makeName(rng);
    // Records draw from their own stream, so who the people are never depends on asOf.
    const records = rng.fork('records');
    const profile: RecordProfile = i % 10 === 0 ? 'many' : i % 10 === 7 ? 'none' : 'normal';
    const props = properties(records, ctx, district, profile);
    people.push({
      idNumber,
      name,
      sex: sexOfIdNumber(idNumber),
      birthDate,
      areaCode: district.code,
      source: 'generated',
      profile,
      properties: props,
      tax: taxRecords(records, ctx, district, profile, props),
      social: socialRecords(records, ctx, district, profile),
    });
  }
  ensureCoverage(root.fork('coverage'), ctx, people);

  // Extra people get a rich but ordinary history so each service has something to show.
  for (const extra of opts.extraPeople ?? []) {
    const rng = new Rng(`${seed}:extra:${extra.idNumber}`);
    const district = districtFor(extra.idNumber.slice(0, 6));
    const profile: RecordProfile = extra.records === 'none' ? 'none' : 'normal';
    let props = properties(rng, ctx, district, profile);
    if (profile === 'normal' && props.length === 0) props = [makeProperty(rng, ctx, district)];
    if (profile === 'normal' && !props.some((p) => p.statuses.some((s) => s.type === 'mortgage'))) {
      const first = props[0] as Property;
      first.statuses.push(mortgage(rng, ctx, first, district));
    }
    let tax = taxRecords(rng, ctx, district, profile, props);
    let social = socialRecords(rng, ctx, district, profile);
    if (profile === 'normal' && tax.length === 0) tax = taxRecords(rng, ctx, district, 'many', props);
    if (profile === 'normal' && !social.some((s) => s.kind === 'resident')) {
      social = socialRecords(rng, ctx, district, 'many');
    }
    people.push({
      idNumber: extra.idNumber,
      name: extra.name,
      sex: sexOfIdNumber(extra.idNumber),
      birthDate: `${extra.idNumber.slice(6, 10)}-${extra.idNumber.slice(10, 12)}-${extra.idNumber.slice(12, 14)}`,
      areaCode: extra.idNumber.slice(0, 6),
      source: 'idcard-profile',
      profile,
      properties: props,
      tax,
      social,
    });
  }

  const generated = people.filter((p) => p.source === 'generated');
  const gasAccounts = [
    ...demoGasAccounts(generated, opts.asOf),
    ...generatedGasAccounts(root.fork('gas'), generated, opts.asOf, 25),
  ];
  return { seed, asOf: opts.asOf, people, gasAccounts };
}
