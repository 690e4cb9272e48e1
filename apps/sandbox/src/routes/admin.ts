import type { Router } from 'express';
import { upstreamError } from '@kiosk/platform';
import { faultSpecSchema, type FaultRegistry } from '../faults.js';
import { ApiError, parseBody } from '../http.js';

/**
 * Test and demo controls. The sandbox listens on loopback only; these routes exist only in the
 * sandbox, never in a bridge to the real systems.
 */
export function mountFaultAdmin(router: Router, faults: FaultRegistry): void {
  router.get('/admin/faults', (_req, res) => {
    res.json({ faults: faults.list() });
  });
  router.post('/admin/faults', (req, res) => {
    try {
      const spec = parseBody(faultSpecSchema, req.body);
      res.status(201).json(faults.add(spec));
    } catch (err) {
      if (err instanceof ApiError) res.status(err.status).json(upstreamError(err.code, err.message));
      else throw err;
    }
  });
  router.delete('/admin/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
}
