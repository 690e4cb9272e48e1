/**
 * One error type for every upstream failure. The session layer shows `citizen` (zh-CN first, then
 * English) and decides by `code`; nothing from an upstream's body or a stack trace reaches a screen.
 */

/**
 * `face`, `eid` and `photo` are not in UPSTREAM_NAMES: their connectors (services/face.ts,
 * services/eid.ts, services/photo.ts) are built on their own, where their service runs.
 */
export type UpstreamName =
  'property' | 'tax' | 'social' | 'gas' | 'payment' | 'slips' | 'face' | 'eid' | 'evaluation' | 'licences' | 'photo';

export const UPSTREAM_NAMES: readonly UpstreamName[] = [
  'property',
  'tax',
  'social',
  'gas',
  'payment',
  'slips',
  'evaluation',
  'licences',
];

export type UpstreamErrorCode =
  /** No answer within the per-request timeout. */
  | 'TIMEOUT'
  /** Connection refused, reset, DNS: the upstream could not be reached. */
  | 'UNREACHABLE'
  /** The circuit breaker is open: the call was not attempted. */
  | 'CIRCUIT_OPEN'
  /** 5xx or 429. */
  | 'SERVER_ERROR'
  /** 2xx whose body is not JSON or does not match the contract. */
  | 'BAD_RESPONSE'
  /** 400: the kiosk sent something the upstream (or the connector's own check) rejects. */
  | 'INVALID_REQUEST'
  /** 404: the account, order, slip… does not exist. */
  | 'NOT_FOUND'
  /** 409/422: a business rule said no (see upstreamCode). */
  | 'REJECTED'
  /** The caller aborted (e.g. the session ended). */
  | 'CANCELED';

export interface CitizenMessage {
  zh: string;
  en: string;
}

const UPSTREAM_LABELS: Record<UpstreamName, CitizenMessage> = {
  property: { zh: '不动产登记系统', en: 'The property registry' },
  tax: { zh: '税务系统', en: 'The tax service' },
  social: { zh: '社保系统', en: 'The social insurance service' },
  gas: { zh: '燃气公司系统', en: 'The gas company service' },
  payment: { zh: '支付服务', en: 'The payment service' },
  slips: { zh: '凭证核验服务', en: 'The slip verification service' },
  face: { zh: '人像比对服务', en: 'The face verification service' },
  photo: { zh: '照片回执平台', en: 'The photo receipt platform' },
  evaluation: { zh: '政务服务好差评系统', en: 'The service evaluation platform' },
  licences: { zh: '电子证照库', en: 'The electronic licence library' },
  eid: { zh: '鄂汇办电子证照服务', en: 'The 鄂汇办 e-ID service' },
};

/** Messages for business codes the upstreams send; anything else falls back to the generic one. */
const BUSINESS_MESSAGES: Record<string, CitizenMessage> = {
  INVALID_ID_NUMBER: {
    zh: '身份证号码无效，请重新读取身份证。',
    en: 'The ID number is not valid. Please read your ID card again.',
  },
  INVALID_YEAR_RANGE: { zh: '查询年份范围无效，请重新选择。', en: 'The year range is not valid. Please choose again.' },
  ACCOUNT_NOT_FOUND: {
    zh: '未找到该燃气户号或卡号，请核对后重试。',
    en: 'No gas account was found for this number. Please check it and try again.',
  },
  ACCOUNT_SUSPENDED: {
    zh: '该燃气账户已停用，请到燃气公司营业厅办理。',
    en: 'This gas account is suspended. Please visit a gas company service hall.',
  },
  AMOUNT_OUT_OF_RANGE: {
    zh: '充值金额超出允许范围，请重新选择金额。',
    en: 'The amount is outside the allowed range. Please choose another amount.',
  },
  ALLOWANCE_EXCEEDED: {
    zh: '充值金额超过本月可购额度，请减少金额。',
    en: "The amount exceeds this month's allowance. Please choose a smaller amount.",
  },
  NOT_IOT_METER: {
    zh: '该户号为IC卡表，请插入燃气卡充值。',
    en: 'This account has an IC-card meter. Please insert your gas card.',
  },
  NOT_IC_CARD_METER: { zh: '该户号为物联网表，无需写卡。', en: 'This account has a smart (IoT) meter; no card is needed.' },
  CARD_MISMATCH: { zh: '燃气卡与户号不符，请核对。', en: 'This gas card does not belong to this account.' },
  PENDING_CARD_WRITE: {
    zh: '该燃气卡有一笔已付款待写卡的充值，请先办理“补写卡”。',
    en: 'A paid top-up is still waiting to be written to this card. Please use "finish a pending top-up" first.',
  },
  CARD_COUNTER_MISMATCH: {
    zh: '燃气卡购气次数与燃气公司记录不符，请到营业厅处理。',
    en: "The card's purchase count does not match the gas company's records. Please visit a service hall.",
  },
  ORDER_PAID: { zh: '订单已支付。', en: 'The order has already been paid.' },
  ORDER_NOT_PAID: { zh: '订单尚未支付。', en: 'The order has not been paid.' },
  ORDER_NOT_PAYABLE: { zh: '订单已无法支付。', en: 'The order can no longer be paid.' },
  SLIP_NOT_FOUND: { zh: '未找到该凭证。', en: 'No slip with this number was found.' },
  EID_CODE_EXPIRED: {
    zh: '电子证照码已过期，请在鄂汇办中刷新后重新出示。',
    en: 'This e-ID code has expired. Please refresh it in 鄂汇办 and show it again.',
  },
  EID_CODE_USED: {
    zh: '该电子证照码已使用过，请在鄂汇办中刷新后重新出示。',
    en: 'This e-ID code has already been used. Please refresh it in 鄂汇办 and show it again.',
  },
  EID_CODE_FORGED: {
    zh: '无法识别该电子证照码，请出示鄂汇办中的电子证照码或使用身份证。',
    en: 'This is not a valid e-ID code. Please show the code from 鄂汇办 or use your ID card.',
  },
};

function generic(upstream: UpstreamName, code: UpstreamErrorCode): CitizenMessage {
  const who = UPSTREAM_LABELS[upstream];
  switch (code) {
    case 'TIMEOUT':
      return { zh: `${who.zh}响应超时，请稍后再试。`, en: `${who.en} did not answer in time. Please try again later.` };
    case 'UNREACHABLE':
    case 'CIRCUIT_OPEN':
    case 'SERVER_ERROR':
      return {
        zh: `${who.zh}暂时无法使用，请稍后再试或咨询工作人员。`,
        en: `${who.en} is temporarily unavailable. Please try again later or ask a member of staff.`,
      };
    case 'BAD_RESPONSE':
      return { zh: `${who.zh}返回异常，请稍后再试。`, en: `${who.en} returned an unexpected answer. Please try again later.` };
    case 'NOT_FOUND':
      return { zh: '未找到相关记录。', en: 'No matching record was found.' };
    case 'CANCELED':
      return { zh: '操作已取消。', en: 'The operation was cancelled.' };
    case 'INVALID_REQUEST':
    case 'REJECTED':
      return {
        zh: `${who.zh}无法办理此项业务，请咨询工作人员。`,
        en: `${who.en} could not process this request. Please ask a member of staff.`,
      };
  }
}

export function citizenMessage(upstream: UpstreamName, code: UpstreamErrorCode, upstreamCode?: string): CitizenMessage {
  return (upstreamCode ? BUSINESS_MESSAGES[upstreamCode] : undefined) ?? generic(upstream, code);
}

export interface UpstreamErrorInit {
  upstream: UpstreamName;
  operation: string;
  code: UpstreamErrorCode;
  requestId: string;
  /** Developer-facing detail for logs; never shown to a citizen. */
  detail: string;
  status?: number;
  upstreamCode?: string;
  /** Whether trying the same call again might succeed. */
  retryable?: boolean;
}

export class UpstreamError extends Error {
  readonly upstream: UpstreamName;
  readonly operation: string;
  readonly code: UpstreamErrorCode;
  readonly requestId: string;
  readonly status: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryable: boolean;
  /** What a screen or slip may show. */
  readonly citizen: CitizenMessage;

  constructor(init: UpstreamErrorInit) {
    super(`${init.operation}: ${init.detail}`);
    this.name = 'UpstreamError';
    this.upstream = init.upstream;
    this.operation = init.operation;
    this.code = init.code;
    this.requestId = init.requestId;
    this.status = init.status;
    this.upstreamCode = init.upstreamCode;
    this.retryable = init.retryable ?? false;
    this.citizen = citizenMessage(init.upstream, init.code, init.upstreamCode);
  }

  /** JSON without the stack, safe to hand to the session layer or a log. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      upstream: this.upstream,
      operation: this.operation,
      code: this.code,
      upstreamCode: this.upstreamCode,
      status: this.status,
      requestId: this.requestId,
      message: this.message,
      citizen: this.citizen,
    };
  }
}

export function isUpstreamError(err: unknown): err is UpstreamError {
  return err instanceof UpstreamError;
}
