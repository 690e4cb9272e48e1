// The one logger shape of the device drivers (apps/agent/src/devices/driver-logger.ts).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { silentDriverLogger, type DriverLogger } from '../../apps/agent/src/devices/driver-logger.js';

describe('DriverLogger', () => {
  it('a pino logger fits it, and the silent one takes every level without output', () => {
    const lines: string[] = [];
    const logger: DriverLogger = pino({ level: 'debug' }, { write: (l: string) => lines.push(l) });
    logger.warn({ port: 'x' }, 'unplugged');
    expect(lines).toHaveLength(1);
    for (const level of ['debug', 'info', 'warn', 'error'] as const) expect(silentDriverLogger[level]({}, 'm')).toBeUndefined();
  });
});
