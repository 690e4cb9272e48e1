import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, defaultConfigPath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';

/** A temp directory that the test owns. */
export function tempDir(prefix = 'kiosk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The default config with a private data dir, any free agent port, and overrides applied. */
export function testConfig(overrides: (c: KioskConfig) => void = () => {}): KioskConfig {
  const c = structuredClone(loadConfig(defaultConfigPath));
  c.dataDir = tempDir('kiosk-data-');
  c.embedded.sandbox.dataDir = tempDir('kiosk-sandbox-data-');
  c.agent.port = 0;
  c.log.level = 'silent';
  // The default config's scanner is a pty under the project root (var/dev/scanner), shared by every
  // test that would start one; tests that want a scanner put it in their own temp dir (session rig,
  // production kiosk, the npm start test).
  delete c.devices.scanner;
  // The default config's camera is the simulators' MJPEG stream (npm start); tests without the
  // simulators process use ffmpeg's own test source unless they ask for the simulator camera.
  c.devices.camera.source = { kind: 'simulated' };
  overrides(c);
  return c;
}

/** Writes a config object to a temp file and returns its path. */
export function writeConfig(config: unknown): string {
  const file = join(tempDir('kiosk-config-'), 'kiosk.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
