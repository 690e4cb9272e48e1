/**
 * Idempotency keys of the money calls. The order number is the terminal business serial number:
 * every retry, here or after a crash, repeats the same key, so an upstream that already acted
 * answers with the original result instead of acting twice.
 */

/** The gas company's serialNo for an order's credit (IoT remote credit, IC purchase, write report, void). */
export function creditKey(order: { orderNo: string }): string {
  return order.orderNo;
}

/** The payment provider's out_refund_no for an order's refund. */
export function refundKey(order: { orderNo: string }): string {
  return `${order.orderNo}R`;
}
