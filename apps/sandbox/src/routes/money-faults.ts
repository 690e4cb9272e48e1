import type { Router } from 'express';
import { upstreamError } from '@kiosk/platform';
import { ApiError, parseBody } from '../http.js';
import { moneyFaultSchema, type MoneyFaults } from '../money-faults.js';

/**
 * `/admin/money-faults`: the named money misbehaviours of money-faults.ts. Loopback sandbox only,
 * like `/admin/faults`.
 */
export function mountMoneyFaultAdmin(router: Router, money: MoneyFaults): void {
  router.get('/admin/money-faults', (_req, res) => {
    res.json(money.state());
  });
  router.post('/admin/money-faults', (req, res) => {
    try {
      const f = parseBody(moneyFaultSchema, req.body);
      money.add(f);
      res.status(201).json({ fault: f, ...money.state() });
    } catch (err) {
      if (err instanceof ApiError) res.status(err.status).json(upstreamError(err.code, err.message));
      else throw err;
    }
  });
  /** Clears the payment races; injected credit faults are cleared with DELETE /admin/faults. */
  router.delete('/admin/money-faults', (_req, res) => {
    money.clear();
    res.status(204).end();
  });
}
