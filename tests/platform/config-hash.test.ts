import { describe, expect, it } from 'vitest';
import { canonicalJson, configHash } from '@kiosk/platform';
import { defaultConfigPath, loadConfig } from '@kiosk/kiosk-config';

describe('configHash', () => {
  it('ignores key order, sees every value', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(configHash({ a: 1, b: { c: 2 } })).toBe(configHash({ b: { c: 2 }, a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
    expect(configHash({ a: 1 })).toMatch(/^[0-9a-f]{12}$/);
  });
  it('two loads of the same config file agree', () => {
    expect(configHash(loadConfig(defaultConfigPath))).toBe(configHash(loadConfig(defaultConfigPath)));
  });
});
