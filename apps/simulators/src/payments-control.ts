import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { fetchJson, upstreamError } from '@kiosk/platform';
import { paymentOrderSchema, type PaymentOrder } from '@kiosk/contracts/upstream';

/**
 * Settling sandbox payments from outside: the simulator control API (127.0.0.1:5852) mounts
 * `createPaymentsControlRouter(sandboxUrl)` so demos and browser tests can pay, fail or close an
 * order without a phone. It talks to the sandbox over HTTP, so it works against a sandbox in
 * another process.
 */

const settleBodySchema = z.object({ result: z.enum(['pay', 'fail', 'close']) });
export type SettleAction = z.infer<typeof settleBodySchema>['result'];

const listSchema = z.object({ orders: z.array(paymentOrderSchema) });
const TIMEOUT_MS = 5000;

class PaymentsControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`sandbox answered ${status}`);
    this.name = 'PaymentsControlError';
  }
}

async function call(url: string, init: Omit<RequestInit, 'signal'> = {}): Promise<unknown> {
  const res = await fetchJson(url, { ...init, timeoutMs: TIMEOUT_MS });
  const body = !res.parsed
    ? upstreamError('BAD_RESPONSE', 'sandbox answered with something that is not JSON')
    : (res.json ?? null);
  if (!res.ok) throw new PaymentsControlError(res.status, body);
  return body;
}

/** Orders a buyer could still pay (NOTPAY or USERPAYING). */
export async function listOpenPayments(sandboxUrl: string): Promise<PaymentOrder[]> {
  return listSchema.parse(await call(`${sandboxUrl.replace(/\/+$/, '')}/admin/payments`)).orders;
}

/** pay → SUCCESS, fail → PAYERROR, close → CLOSED. `id` is the orderId or the kiosk's out_trade_no. */
export async function settlePayment(sandboxUrl: string, id: string, result: SettleAction): Promise<PaymentOrder> {
  const body = await call(`${sandboxUrl.replace(/\/+$/, '')}/admin/payments/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ result }),
  });
  return paymentOrderSchema.parse(body);
}

function fail(res: Response, err: unknown): void {
  if (err instanceof PaymentsControlError) {
    res.status(err.status).json(err.body);
    return;
  }
  res.status(502).json(upstreamError('SANDBOX_UNREACHABLE', err instanceof Error ? err.message : String(err)));
}

/** `GET /payments` and `POST /payments/:orderId {"result": "pay"|"fail"|"close"}`. */
export function createPaymentsControlRouter(sandboxUrl: string): Router {
  const router = Router();
  router.get('/payments', async (_req: Request, res: Response) => {
    try {
      res.json({ orders: await listOpenPayments(sandboxUrl) });
    } catch (err) {
      fail(res, err);
    }
  });
  router.post('/payments/:orderId', async (req: Request, res: Response) => {
    const parsed = settleBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json(upstreamError('INVALID_REQUEST', 'body must be {"result": "pay" | "fail" | "close"}'));
      return;
    }
    try {
      res.json(await settlePayment(sandboxUrl, String(req.params.orderId), parsed.data.result));
    } catch (err) {
      fail(res, err);
    }
  });
  return router;
}
