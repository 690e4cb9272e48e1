import express, { type Express, type Router } from 'express';
import { serviceErrorHandler, serviceNotFound } from '@kiosk/platform';
import type { SimulatedDevice } from './simulated-device.js';

/** The simulator control API: `GET /` lists devices and their state; each device adds routes. */
export function createControlApp(devices: readonly SimulatedDevice[], extra: readonly Router[] = []): Express {
  const app = express();
  app.use(express.json({ limit: '256kb' }));
  app.get('/', (_req, res) => {
    res.json({
      devices: devices.map((d) => ({ name: d.name, agentPath: d.agentPath, state: d.state() })),
    });
  });
  for (const d of devices) app.use(`/${d.name}`, d.router());
  // Routes that settle things outside a device, e.g. sandbox payments (/payments).
  for (const r of extra) app.use(r);
  app.use(serviceNotFound);
  // Express 5 passes JSON parse errors and thrown handler errors here.
  app.use(serviceErrorHandler());
  return app;
}
