/**
 * The sandbox licence library (电子证照库): each synthetic person's electronic licences, derived
 * from the person and their registry records so the two agree (a 不动产权证书 per registered
 * property, with the same certificate number and location). Pure and deterministic: the same
 * seed and person always give the same licences; nothing is stored but the uses (用证记录).
 *
 * The ID card simulator's people get all four kinds, so every demo card can print each one.
 */
import type { Licence, LicenceField } from '@kiosk/contracts/licences';
import { districtFor, makeName, type SyntheticData, type SyntheticPerson } from '@kiosk/synthetic';
import { Rng } from '@kiosk/synthetic';

export const LICENCE_LIBRARY = '湖北省电子证照库';

const f = (label: string, value: string, kind: LicenceField['kind'] = 'text'): LicenceField => ({ label, value, kind });

function addYears(date: string, years: number): string {
  return `${Number(date.slice(0, 4)) + years}${date.slice(4)}`;
}

function householdRegister(p: SyntheticPerson, rng: Rng): Licence {
  const d = districtFor(p.areaCode);
  const issuedOn = `${rng.int(2008, 2022)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const street = rng.pick(d.streets);
  return {
    licenceId: `HH-${p.idNumber.slice(0, 6)}-${rng.digits(10)}`,
    type: 'householdRegister',
    typeName: '居民户口簿',
    number: `${p.areaCode}${rng.digits(9)}`,
    issuer: `咸宁市公安局${d.name}分局${street.slice(0, 2)}派出所`,
    issuedOn,
    validTo: 'long-term',
    fields: [
      f('户主姓名', p.name, 'name'),
      f('公民身份号码', p.idNumber, 'idNumber'),
      f('户别', '家庭户'),
      f('住址', `湖北省咸宁市${d.name}${street}${rng.int(1, 399)}号`, 'address'),
      f('与户主关系', '户主'),
    ],
  };
}

function realEstate(p: SyntheticPerson, rng: Rng, index: number): Licence {
  const prop = p.properties[index];
  if (prop) {
    return {
      licenceId: `RE-${prop.unitNumber.slice(0, 12)}-${index}`,
      type: 'realEstate',
      typeName: '不动产权证书',
      number: prop.certificateNo,
      issuer: `${districtFor(prop.district.code).registry}不动产登记中心`,
      issuedOn: prop.registeredOn,
      validTo: 'long-term',
      fields: [
        f('权利人', p.name, 'name'),
        f('共有情况', prop.ownership),
        f('坐落', prop.location),
        f('不动产单元号', prop.unitNumber),
        f('权利类型', prop.rightType),
        f('用途', prop.usage),
        f('面积', `${prop.areaM2.toFixed(2)}㎡`),
      ],
    };
  }
  // A demo person without a registered property still gets one certificate to print.
  const d = districtFor(p.areaCode);
  const year = rng.int(2012, 2023);
  return {
    licenceId: `RE-${p.idNumber.slice(0, 6)}-${rng.digits(8)}`,
    type: 'realEstate',
    typeName: '不动产权证书',
    number: `鄂(${year})${d.registry}不动产权第${rng.digits(7)}号`,
    issuer: `${d.registry}不动产登记中心`,
    issuedOn: `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    validTo: 'long-term',
    fields: [
      f('权利人', p.name, 'name'),
      f('共有情况', '单独所有'),
      f('坐落', `${d.name}${rng.pick(d.streets)}${rng.int(1, 299)}号${rng.int(1, 20)}栋${rng.int(1, 30)}0${rng.int(1, 4)}室`),
      f('权利类型', '国有建设用地使用权/房屋所有权'),
      f('用途', '住宅'),
      f('面积', `${rng.int(60, 160)}.${rng.digits(2)}㎡`),
    ],
  };
}

function marriage(p: SyntheticPerson, rng: Rng): Licence {
  const d = districtFor(p.areaCode);
  const birthYear = Number(p.birthDate.slice(0, 4));
  const year = Math.min(2024, birthYear + rng.int(23, 32));
  return {
    licenceId: `MR-${p.idNumber.slice(0, 6)}-${rng.digits(8)}`,
    type: 'marriage',
    typeName: '结婚证',
    number: `J${p.areaCode}-${year}-${rng.digits(6)}`,
    issuer: `咸宁市${d.name}民政局`,
    issuedOn: `${year}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`,
    validTo: 'long-term',
    fields: [
      f('持证人', p.name, 'name'),
      f('持证人身份证件号', p.idNumber, 'idNumber'),
      f('配偶姓名', makeName(rng), 'name'),
      f('登记机关', `咸宁市${d.name}民政局`),
    ],
  };
}

function businessLicence(p: SyntheticPerson, rng: Rng): Licence {
  const d = districtFor(p.areaCode);
  const issuedOn = `${rng.int(2015, 2024)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const shop = rng.pick(['便利店', '小吃店', '五金店', '理发店', '水果店', '文印店']);
  return {
    licenceId: `BL-${p.idNumber.slice(0, 6)}-${rng.digits(8)}`,
    type: 'businessLicence',
    typeName: '营业执照',
    number: `92${p.areaCode}MA${rng.digits(7)}X`,
    issuer: `咸宁市${d.name}市场监督管理局`,
    issuedOn,
    validTo: rng.chance(0.5) ? 'long-term' : addYears(issuedOn, 20),
    fields: [
      f('名称', `${d.name}${p.name.slice(0, 1)}记${shop}`),
      f('类型', '个体工商户'),
      f('经营者', p.name, 'name'),
      f('经营场所', `湖北省咸宁市${d.name}${rng.pick(d.streets)}${rng.int(1, 399)}号`, 'address'),
      f('组成形式', '个人经营'),
    ],
  };
}

/** Every licence the library holds, by ID number. People without records have none. */
export function generateLicences(data: SyntheticData): Map<string, Licence[]> {
  const out = new Map<string, Licence[]>();
  for (const p of data.people) {
    if (p.profile === 'none') continue;
    const rng = new Rng(`${data.seed}:licences:${p.idNumber}`);
    const demo = p.source === 'idcard-profile';
    const list: Licence[] = [householdRegister(p, rng)];
    const estates = demo ? Math.max(1, Math.min(2, p.properties.length)) : Math.min(2, p.properties.length);
    for (let i = 0; i < estates; i++) list.push(realEstate(p, rng, i));
    if (demo || rng.chance(0.6)) list.push(marriage(p, rng));
    if (demo || rng.chance(0.2)) list.push(businessLicence(p, rng));
    out.set(p.idNumber, list);
  }
  return out;
}
