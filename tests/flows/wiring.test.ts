/**
 * The production wiring: circuit breakers feed the session's availability (an open circuit greys
 * the tile), and defaultModules builds the session module with the record flows from config.
 */
import { describe, expect, it } from 'vitest';
import { defaultModules } from '../../apps/agent/src/compose.js';
import { upstreamStatusFrom } from '../../apps/agent/src/flows/index.js';
import { silentLogger } from '@kiosk/platform';
import { createServices } from '../../apps/agent/src/services/index.js';
import { computeAvailability } from '../../apps/agent/src/session/availability.js';
import { testConfig } from '../helpers/config.js';

describe('upstream status from the connectors', () => {
  it('an open circuit is down, greys exactly the services that need it, and reports the change', async () => {
    let t = 0;
    const services = createServices({
      baseUrl: 'http://127.0.0.1:9', // nothing listens: every call fails fast
      timeoutMs: 500,
      kioskId: 'TEST-KIOSK-01',
      retry: { maxAttempts: 1 },
      breaker: { failureThreshold: 2, coolDownMs: 1000, now: () => t },
    });
    const source = upstreamStatusFrom(services, 20);
    expect(source.states()).toMatchObject({ property: 'up', tax: 'up', social: 'up', slips: 'up' });
    const changes: number[] = [];
    const off = source.onChange(() => changes.push(1));
    for (let i = 0; i < 2; i++)
      await services.tax.queryRecords({ idNumber: '421202198503120610', fromYear: 2024, toYear: 2026 }).catch(() => undefined);
    expect(source.states()['tax']).toBe('down');
    expect(changes.length).toBeGreaterThan(0);

    const config = testConfig();
    const a = computeAvailability({
      mode: 'in-service',
      modeMessage: null,
      devices: {
        idcard: { device: 'online' },
        printer: { device: 'online', paper: 'full' },
        // Property needs the face check by default (issue 19), so the camera is part of this kiosk.
        camera: { device: 'online' },
      },
      upstreams: source.states(),
      config: config.session,
    });
    expect(a.services.tax).toEqual({ available: false, reasons: ['upstreamDown'] });
    expect(a.services.property.available).toBe(true);

    // After the cool-down the periodic re-check moves the breaker to half-open: the tile returns.
    const before = changes.length;
    t += 1500;
    await expect.poll(() => source.states()['tax'], { timeout: 2000 }).toBe('up');
    await expect.poll(() => changes.length, { timeout: 2000 }).toBeGreaterThan(before);
    off();
  });

  it('defaultModules composes the session module with the record flows from config', () => {
    const config = testConfig();
    const modules = defaultModules(config, silentLogger());
    // The session comes first: monitor, staff and gas modules use its API.
    expect(modules.length).toBeGreaterThanOrEqual(1);
    expect(modules.every((m) => typeof m === 'function')).toBe(true);
  });
});
