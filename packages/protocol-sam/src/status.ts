/**
 * SW3 status codes of the SAM (GA 467 table 10). The driver maps the `category` onto the shared
 * device status vocabulary; the messages are shown to staff (zh-CN first, English second).
 */

export type Sw3Category =
  /** The command did what was asked. */
  | 'success'
  /** No card in the field, or nothing stored for that item: a normal answer, not a fault. */
  | 'noCard'
  | 'noContent'
  /** The card or the citizen's handling of it: re-place the card, or the card is not readable. */
  | 'card'
  /** Our frame or command was wrong: a host/driver bug or line noise. */
  | 'host'
  /** The SAM module itself: needs an engineer. */
  | 'sam'
  | 'unknown';

export interface Sw3Info {
  code: number;
  /** Name used in logs and events, e.g. `readFailed`. */
  name: string;
  zh: string;
  en: string;
  category: Sw3Category;
}

export const SW3 = {
  SUCCESS: 0x90,
  NO_CONTENT: 0x91,
  FIND_SUCCESS: 0x9f,
  HOST_CHECKSUM: 0x10,
  HOST_LENGTH: 0x11,
  BAD_COMMAND: 0x21,
  NOT_PERMITTED: 0x23,
  UNKNOWN_ERROR: 0x24,
  CARD_AUTH_SAM_FAILED: 0x31,
  SAM_AUTH_CARD_FAILED: 0x32,
  VERIFY_FAILED: 0x33,
  UNKNOWN_CARD: 0x40,
  READ_FAILED: 0x41,
  CHALLENGE_FAILED: 0x47,
  SAM_SELF_TEST_FAILED: 0x60,
  SAM_UNAUTHORISED: 0x66,
  FIND_FAILED: 0x80,
  SELECT_FAILED: 0x81,
} as const;

const table: Sw3Info[] = [
  { code: 0x90, name: 'success', zh: '操作成功', en: 'success', category: 'success' },
  {
    code: 0x91,
    name: 'noContent',
    zh: '证/卡中此项无内容',
    en: 'the card holds no content for this item',
    category: 'noContent',
  },
  { code: 0x9f, name: 'cardFound', zh: '寻找证/卡成功', en: 'card found', category: 'success' },
  {
    code: 0x10,
    name: 'hostChecksum',
    zh: '接收业务终端数据的校验和错',
    en: 'checksum error in the frame from the host',
    category: 'host',
  },
  {
    code: 0x11,
    name: 'hostLength',
    zh: '接收业务终端数据的长度错',
    en: 'length error in the frame from the host',
    category: 'host',
  },
  { code: 0x21, name: 'badCommand', zh: '接收业务终端的命令错误', en: 'command not recognised (bad CMD/Para)', category: 'host' },
  { code: 0x23, name: 'notPermitted', zh: '越权操作', en: 'operation not permitted', category: 'host' },
  { code: 0x24, name: 'unknownError', zh: '无法识别的错误', en: 'unrecognised error', category: 'unknown' },
  {
    code: 0x31,
    name: 'cardAuthSamFailed',
    zh: '证/卡认证 SAM 失败',
    en: 'the card failed to authenticate the SAM',
    category: 'card',
  },
  {
    code: 0x32,
    name: 'samAuthCardFailed',
    zh: 'SAM 认证证/卡失败',
    en: 'the SAM failed to authenticate the card',
    category: 'card',
  },
  { code: 0x33, name: 'verifyFailed', zh: '信息验证错误', en: 'information verification error', category: 'card' },
  { code: 0x40, name: 'unknownCardType', zh: '无法识别的卡类型', en: 'card type not recognised', category: 'card' },
  {
    code: 0x41,
    name: 'readFailed',
    zh: '读证/卡操作失败',
    en: 'reading the card failed (card moved or removed?)',
    category: 'card',
  },
  { code: 0x47, name: 'challengeFailed', zh: '取随机数失败', en: 'get-challenge failed', category: 'card' },
  {
    code: 0x60,
    name: 'samSelfTestFailed',
    zh: 'SAM 自检失败，不能接收命令',
    en: 'SAM self-test failed; it cannot accept commands',
    category: 'sam',
  },
  { code: 0x66, name: 'samUnauthorised', zh: 'SAM 未经授权', en: 'SAM not authorised', category: 'sam' },
  { code: 0x80, name: 'findFailed', zh: '寻找证/卡失败', en: 'no card found', category: 'noCard' },
  { code: 0x81, name: 'selectFailed', zh: '选取证/卡失败', en: 'selecting the card failed', category: 'card' },
];

const byCode = new Map(table.map((s) => [s.code, s]));

export const allSw3: readonly Sw3Info[] = table;

/** Describes any SW3 byte; unknown values get a generic entry instead of undefined. */
export function describeSw3(code: number): Sw3Info {
  return (
    byCode.get(code) ?? {
      code,
      name: 'unrecognised',
      zh: `未知状态码 0x${code.toString(16).toUpperCase().padStart(2, '0')}`,
      en: `unrecognised status 0x${code.toString(16).toUpperCase().padStart(2, '0')}`,
      category: 'unknown',
    }
  );
}

/** `读证/卡操作失败 (reading the card failed …) [SW3=41]` */
export function sw3Message(code: number): string {
  const s = describeSw3(code);
  return `${s.zh} (${s.en}) [SW3=${code.toString(16).toUpperCase().padStart(2, '0')}]`;
}
