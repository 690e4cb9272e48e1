/** Byte vectors quoted in /work/shared/reference/idcard-sam-protocol.md (§1.3, §2.1, §6). */
import { fromHex } from '@kiosk/protocol-sam';

export const commandVectors: Record<string, string> = {
  resetSam: 'AA AA AA 96 69 00 03 10 FF EC',
  samStatus: 'AA AA AA 96 69 00 03 11 FF ED',
  samId: 'AA AA AA 96 69 00 03 12 FF EE',
  findCard: 'AA AA AA 96 69 00 03 20 01 22',
  selectCard: 'AA AA AA 96 69 00 03 20 02 21',
  readBase: 'AA AA AA 96 69 00 03 30 01 32',
  readNewestAddress: 'AA AA AA 96 69 00 03 30 03 30',
  readManagementNumber: 'AA AA AA 96 69 00 03 30 05 36',
  readBaseWithFingerprint: 'AA AA AA 96 69 00 03 30 10 23',
};

export const baudVectors: Array<[number, string]> = [
  [115200, 'AA AA AA 96 69 00 03 60 00 63'],
  [57600, 'AA AA AA 96 69 00 03 60 01 62'],
  [38400, 'AA AA AA 96 69 00 03 60 02 61'],
  [19200, 'AA AA AA 96 69 00 03 60 03 60'],
  [9600, 'AA AA AA 96 69 00 03 60 04 67'],
];

export const maxRfVector = 'AA AA AA 96 69 00 04 61 FF 50 CA';
export const vendorCommandVector = 'aa aa aa 96 69 00 03 DC 01 DE';

export const samIdResponse = 'AA AA AA 96 69 00 14 00 00 90 05 00 01 00 09 B8 32 01 05 BE 12 00 AD C5 B1 11 63';
export const samIdText = '05.01-20101129-0001228293-0296863149';

/** [label, hex, SW3] */
export const responseVectors: Array<[string, string, number]> = [
  ['success (status/reset)', 'AA AA AA 96 69 00 04 00 00 90 94', 0x90],
  ['SAM ID', samIdResponse, 0x90],
  ['find ok', 'AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97', 0x9f],
  ['select ok', 'AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C', 0x90],
  ['find fail', 'AA AA AA 96 69 00 04 00 00 80 84', 0x80],
  ['select fail', 'AA AA AA 96 69 00 04 00 00 81 85', 0x81],
  ['read fail', 'AA AA AA 96 69 00 04 00 00 41 45', 0x41],
  ['checksum error', 'AA AA AA 96 69 00 04 00 00 10 14', 0x10],
  ['length error', 'AA AA AA 96 69 00 04 00 00 11 15', 0x11],
  ['bad command', 'AA AA AA 96 69 00 04 00 00 21 25', 0x21],
  ['not permitted', 'AA AA AA 96 69 00 04 00 00 23 27', 0x23],
  ['unknown error', 'AA AA AA 96 69 00 04 00 00 24 20', 0x24],
  ['SAM self-test failed', 'AA AA AA 96 69 00 04 00 00 60 64', 0x60],
  ['SAM unauthorised', 'AA AA AA 96 69 00 04 00 00 66 62', 0x66],
  ['no content', 'AA AA AA 96 69 00 04 00 00 91 95', 0x91],
];

/** The noisy select reply quoted from a Qt project: junk, then a truncated frame. */
export const noisySelect = 'AA 00 AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 9C';

/** §6 synthetic vector (fake person). */
export const syntheticCard = {
  cardType: 'resident' as const,
  name: '测试',
  sex: 'male' as const,
  nationCode: '01',
  birthDate: '1990-01-01',
  address: '北京市东城区测试路1号',
  idNumber: '110101199001011237',
  issuer: '北京市公安局东城分局',
  validFrom: '2020-01-01',
  validTo: '2030-01-01',
};

export const hex = fromHex;
