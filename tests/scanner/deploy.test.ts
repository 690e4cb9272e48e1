/** A real kiosk's scanner gets a stable name like the other USB devices; the config takes it over serial or HID POS. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, defaultConfigPath } from '@kiosk/kiosk-config';

// Plain JavaScript used by the installer (no type declarations): imported by path.
const udevRulesModule = '../../deploy/udev-rules.mjs';
const { udevRules } = (await import(udevRulesModule)) as { udevRules(config: unknown): string };

describe('scanner on a real kiosk', () => {
  it('deploy.usb.scanner becomes /dev/kiosk-scanner', () => {
    const rules = udevRules({ deploy: { usb: { scanner: { vendorId: '0c2e', productId: '0b61', subsystem: 'hidraw' } } } });
    expect(rules).toContain(
      'SUBSYSTEM=="hidraw", ATTRS{idVendor}=="0c2e", ATTRS{idProduct}=="0b61", SYMLINK+="kiosk-scanner", GROUP="plugdev"',
    );
  });

  it('the default config has a serial scanner; a HID POS one and its USB ids validate too', () => {
    const raw = JSON.parse(readFileSync(defaultConfigPath, 'utf8')) as { devices: Record<string, unknown>; deploy?: unknown };
    const parsed = configSchema.parse(raw);
    expect(parsed.devices.scanner).toEqual({
      enabled: true,
      transport: { kind: 'serial', path: 'var/dev/scanner', baudRate: 9600 },
      partialTimeoutMs: 500,
      sameCodeMs: 2000,
    });
    raw.devices.scanner = { transport: { kind: 'hid', vendorId: 0x0c2e, productId: 0x0b61 } };
    raw.deploy = { usb: { scanner: { vendorId: '0c2e', productId: '0b61', subsystem: 'hidraw' } } };
    const hid = configSchema.parse(raw);
    expect(hid.devices.scanner).toMatchObject({ enabled: true, transport: { kind: 'hid' }, sameCodeMs: 2000 });
    raw.devices.scanner = { transport: { kind: 'serial', path: '' } };
    expect(configSchema.safeParse(raw).success).toBe(false);
  });
});
