/**
 * Synthetic card holders for the ID card simulator, tests, demos and (later) the sandbox
 * upstream. Nobody here is real: names are obviously made up (测试, 样例, 演示, 示范), numbers have
 * valid formats and check digits (tests/idcard checks every one), addresses are invented streets.
 * The 咸宁 residents use the city's district codes (4212xx).
 */
import type { CardFields } from '@kiosk/protocol-sam';

export interface CardProfile {
  /** Stable key used by `POST /idcard/card {"profile": NAME}`. */
  name: string;
  description: string;
  card: CardFields;
  /** Appended address returned by `30 03`; none → SW3 91. */
  newestAddress?: string;
  /** Number of fingerprint templates returned by `30 10` (0, 1 or 2). */
  fingerprints: 0 | 1 | 2;
}

export const profiles: readonly CardProfile[] = [
  {
    name: 'xianan-resident',
    description: '咸宁市咸安区居民，有效期20年 / resident of 咸安区, 20-year card',
    fingerprints: 2,
    card: {
      cardType: 'resident',
      name: '孙测试',
      sex: 'male',
      nationCode: '01',
      birthDate: '1985-03-12',
      address: '湖北省咸宁市咸安区温泉街道测试路18号',
      idNumber: '421202198503120610',
      issuer: '咸宁市公安局咸安分局',
      validFrom: '2016-05-20',
      validTo: '2036-05-20',
    },
  },
  {
    name: 'chibi-resident',
    description: '赤壁市居民（土家族），有追加住址 / resident of 赤壁市 (Tujia), has an appended address',
    fingerprints: 0,
    newestAddress: '湖北省赤壁市赤马港街道样例新村2栋301室',
    card: {
      cardType: 'resident',
      name: '李样例',
      sex: 'female',
      nationCode: '15',
      birthDate: '1992-11-08',
      address: '湖北省赤壁市蒲圻街道示范大道8号',
      idNumber: '421281199211080522',
      issuer: '赤壁市公安局',
      validFrom: '2021-08-01',
      validTo: '2041-08-01',
    },
  },
  {
    name: 'jiayu-expired',
    description: '嘉鱼县居民，证件已过期 / resident of 嘉鱼县, card expired 2025-07-01',
    fingerprints: 1,
    card: {
      cardType: 'resident',
      name: '吴演示',
      sex: 'male',
      nationCode: '01',
      birthDate: '1974-06-15',
      address: '湖北省咸宁市嘉鱼县鱼岳镇样本街6号',
      idNumber: '421221197406150337',
      issuer: '嘉鱼县公安局',
      validFrom: '2005-07-01',
      validTo: '2025-07-01',
    },
  },
  {
    name: 'tongshan-long-term',
    description: '通山县居民，长期有效，号码末位 X / resident of 通山县, long-term validity, check digit X',
    fingerprints: 0,
    card: {
      cardType: 'resident',
      name: '郑示范',
      sex: 'female',
      nationCode: '01',
      birthDate: '1958-09-23',
      address: '湖北省咸宁市通山县通羊镇测试巷3号',
      idNumber: '42122419580923042X',
      issuer: '通山县公安局',
      validFrom: '2012-03-01',
      validTo: 'long-term',
    },
  },
  {
    name: 'urumqi-long-name',
    description: '维吾尔族居民，带间隔号的长姓名 / Uyghur resident with a long name containing ·',
    fingerprints: 2,
    card: {
      cardType: 'resident',
      name: '买买提·测试样例',
      sex: 'male',
      nationCode: '05',
      birthDate: '1988-07-05',
      address: '新疆维吾尔自治区乌鲁木齐市天山区测试路100号',
      idNumber: '650102198807051577',
      issuer: '乌鲁木齐市公安局天山区分局',
      validFrom: '2019-01-10',
      validTo: '2039-01-10',
    },
  },
  {
    name: 'hk-permit',
    description: '香港居民居住证，居住在咸安区 / Hong Kong resident permit holder living in 咸安区',
    fingerprints: 0,
    card: {
      cardType: 'hk-macau-taiwan',
      name: '陈港测',
      sex: 'female',
      birthDate: '1993-04-18',
      address: '湖北省咸宁市咸安区永安街道示例路66号',
      idNumber: '81000019930418012X',
      issuer: '咸宁市公安局咸安分局',
      validFrom: '2022-06-01',
      validTo: '2027-06-01',
      permitNumber: 'H90000017',
      issueCount: '01',
    },
  },
  {
    name: 'tw-permit',
    description: '台湾居民居住证 / Taiwan resident permit',
    fingerprints: 0,
    card: {
      cardType: 'hk-macau-taiwan',
      name: '林台测',
      sex: 'female',
      birthDate: '1987-02-22',
      address: '湖北省咸宁市赤壁市陆水湖街道演示路9号',
      idNumber: '830000198702220261',
      issuer: '赤壁市公安局',
      validFrom: '2023-09-15',
      validTo: '2028-09-15',
      permitNumber: '90000018',
      issueCount: '02',
    },
  },
  {
    name: 'foreign-2017',
    description: '外国人永久居留身份证（2017版，英国籍）/ foreign permanent resident ID, 2017 version (GBR)',
    fingerprints: 0,
    card: {
      cardType: 'foreign-2017',
      name: '史测试',
      englishName: 'TESTER, SAMPLE JOHN',
      sex: 'male',
      idNumber: 'GBR420088051211',
      nationality: 'GBR',
      birthDate: '1988-05-12',
      validFrom: '2018-03-01',
      validTo: '2028-03-01',
      cardVersion: '01',
      issuer: '4200',
    },
  },
  {
    name: 'foreign-2023',
    description:
      '外国人永久居留身份证（2023版，德国籍，46字内长英文名）/ foreign permanent resident ID, 2023 version (DEU), long English name',
    fingerprints: 0,
    card: {
      cardType: 'foreign-2023',
      name: '安测试',
      englishName: 'VANDERTESTEN-SAMPLE, ANNA MARGARETHA LUISE',
      sex: 'female',
      renewalCount: '00',
      birthDate: '1991-03-04',
      idNumber: '942276199103040285',
      nationality: 'DEU',
      validFrom: '2024-01-15',
      validTo: '2034-01-15',
      previousNumberLink: '001',
    },
  },
  {
    name: 'chongyang-rare-char',
    description:
      '崇阳县居民，姓名含 CJK 扩展A 字「㙟」(U+365F，GB18030 四字节) / resident of 崇阳县 whose name has 㙟 (U+365F, CJK Extension A, 4 bytes in GB18030)',
    fingerprints: 0,
    card: {
      cardType: 'resident',
      name: '㙟样例',
      sex: 'male',
      nationCode: '01',
      birthDate: '1990-05-17',
      address: '湖北省咸宁市崇阳县天城镇样例街5号',
      idNumber: '42122319900517003X',
      issuer: '崇阳县公安局',
      validFrom: '2018-06-01',
      validTo: '2038-06-01',
    },
  },
];

export function findProfile(name: string): CardProfile | undefined {
  return profiles.find((p) => p.name === name);
}

/** Deterministic bytes from a seed (xorshift32), so a profile's "photo" is the same every run. */
export function seededBytes(seed: string, n: number): Buffer {
  let x = 2166136261;
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 16777619) >>> 0;
  if (x === 0) x = 1;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * 1024 bytes shaped like a WLT block: the header every public dump shows ("WL", 102, 126,
 * 0x32, constant bytes), then filler. Nobody can decode it into a face, which is the point.
 */
export function syntheticWlt(seed: string): Buffer {
  const out = seededBytes(`wlt:${seed}`, 1024);
  Buffer.from([
    0x57, 0x4c, 0x66, 0x00, 0x7e, 0x00, 0x32, 0x00, 0x00, 0xff, 0x85, 0x00, 0x51, 0x51, 0x51, 0x3e, 0x71, 0x0d, 0xd5, 0x64, 0xf2,
  ]).copy(out, 0);
  return out;
}

/** Fingerprint templates with a plausible header ('C', versions, enrolled, finger, quality). */
export function syntheticFingerprints(seed: string, count: 0 | 1 | 2): Buffer {
  const out = Buffer.alloc(512 * count);
  const fingers = [0x0b, 0x10]; // right thumb, left thumb
  for (let i = 0; i < count; i++) {
    const t = out.subarray(512 * i, 512 * (i + 1));
    seededBytes(`fp:${seed}:${i}`, 512).copy(t);
    t[0] = 0x43;
    t[1] = 0x01;
    t[2] = 0x02;
    t[3] = 0x03;
    t[4] = 0x01;
    t[5] = fingers[i]!;
    t[6] = 0x50;
  }
  return out;
}
