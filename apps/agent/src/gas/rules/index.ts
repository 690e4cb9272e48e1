/**
 * The money rules as pure decisions (inputs → next step), apart from the I/O that carries them
 * out. Each is unit-tested without a sandbox (tests/gas/rules.test.ts); the crash campaign's
 * mutants patch them to prove its checks can fail. See docs/gas.md, "Money rules".
 */
export { cardAlreadyWritten, type PurchaseRecord } from './card.js';
export { creditKey, refundKey } from './keys.js';
export { mayEndUnpaid, nextPaymentStep } from './payment.js';
export { recoveryStep, wantsCredit } from './recovery.js';
export { mayRefund } from './refund.js';
