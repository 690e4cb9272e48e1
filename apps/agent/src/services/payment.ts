import type { CircuitBreaker } from './breaker.js';
import {
  createOrderRequestSchema,
  paymentBillSchema,
  paymentOrderSchema,
  refundRequestSchema,
  refundSchema,
  type CreateOrderRequest,
  type PaymentBill,
  type PaymentOrder,
  type Refund,
  type RefundRequest,
} from '@kiosk/contracts/upstream';
import { checkRequest, orNull, type CallOptions, type UpstreamClient } from './http-client.js';

/**
 * QR payment provider (WeChat Native / Alipay precreate shape). NOTPAY and USERPAYING are not
 * final; only unpaid orders can be closed; refunds are keyed by outRefundNo.
 */
export interface PaymentConnector {
  readonly breaker: CircuitBreaker;
  /** Same outTradeNo again → the same order (REJECTED/OUT_TRADE_NO_USED if the amount differs). */
  createOrder(req: CreateOrderRequest, call?: CallOptions): Promise<PaymentOrder>;
  /** NOT_FOUND when the provider never saw this order. */
  queryOrder(outTradeNo: string, call?: CallOptions): Promise<PaymentOrder>;
  /** Closing a closed order is fine; a paid one is REJECTED/ORDER_PAID. */
  closeOrder(outTradeNo: string, call?: CallOptions): Promise<PaymentOrder>;
  refund(req: RefundRequest, call?: CallOptions): Promise<Refund>;
  queryRefund(outRefundNo: string, call?: CallOptions): Promise<Refund | null>;
  /** The provider's bill for one China-time day (payments and refunds). */
  bill(date: string, call?: CallOptions): Promise<PaymentBill>;
}

const tradePath = (outTradeNo: string) => `/payment/v1/orders/${encodeURIComponent(outTradeNo)}`;

export function createPaymentConnector(client: UpstreamClient): PaymentConnector {
  return {
    breaker: client.breaker,
    async createOrder(req, call) {
      const body = checkRequest('payment', 'payment.create', createOrderRequestSchema, req, call);
      return client.request(
        {
          operation: 'payment.create',
          method: 'POST',
          path: '/payment/v1/orders',
          body,
          schema: paymentOrderSchema,
          retry: true,
        },
        call,
      );
    },
    async queryOrder(outTradeNo, call) {
      return client.request(
        { operation: 'payment.query', method: 'GET', path: tradePath(outTradeNo), schema: paymentOrderSchema, retry: true },
        call,
      );
    },
    async closeOrder(outTradeNo, call) {
      return client.request(
        {
          operation: 'payment.close',
          method: 'POST',
          path: `${tradePath(outTradeNo)}/close`,
          body: {},
          schema: paymentOrderSchema,
          retry: true,
        },
        call,
      );
    },
    async refund(req, call) {
      const body = checkRequest('payment', 'payment.refund', refundRequestSchema, req, call);
      return client.request(
        { operation: 'payment.refund', method: 'POST', path: '/payment/v1/refunds', body, schema: refundSchema, retry: true },
        call,
      );
    },
    async queryRefund(outRefundNo, call) {
      return orNull(
        client.request(
          {
            operation: 'payment.refund.get',
            method: 'GET',
            path: `/payment/v1/refunds/${encodeURIComponent(outRefundNo)}`,
            schema: refundSchema,
            retry: true,
          },
          call,
        ),
      );
    },
    async bill(date, call) {
      return client.request(
        {
          operation: 'payment.bill',
          method: 'GET',
          path: '/payment/v1/bills',
          query: { date },
          schema: paymentBillSchema,
          retry: true,
        },
        call,
      );
    },
  };
}
