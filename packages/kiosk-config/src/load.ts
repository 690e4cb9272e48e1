import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from '@kiosk/platform';
import { configSchema, type KioskConfig } from './schema.js';

/**
 * The project root (where the kiosk's package.json lives); relative paths in config are resolved
 * here. Found by walking up, so it is the same from the TS sources and from the bundles in dist/.
 */
export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'kiosk-24h') return dir;
    } catch {
      // no package.json here; keep walking
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the kiosk's package.json above ${start}`);
  }
}
export const defaultConfigPath = resolve(projectRoot, 'config/kiosk.default.json');

/** The kiosk config's errors are the platform's ConfigError: every process main exits 78 on them. */
export { ConfigError } from '@kiosk/platform';

/** `--config PATH` wins over `KIOSK_CONFIG`, which wins over the embedded default. */
export function configPathFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const p = argv[i + 1];
    if (!p || p.startsWith('--')) throw new ConfigError('--config needs a file path');
    return resolve(p);
  }
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return resolve(eq.slice('--config='.length));
  if (env.KIOSK_CONFIG) return resolve(env.KIOSK_CONFIG);
  return defaultConfigPath;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  return `${field}: ${issue.message}`;
}

/** Validates a parsed object; throws one ConfigError naming every bad field and why. */
export function parseConfig(raw: unknown, source = 'configuration'): KioskConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map(describeIssue).join('; ');
    throw new ConfigError(`invalid ${source}: ${issues}`);
  }
  return result.data;
}

export function loadConfig(path: string): KioskConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, `config ${path}`);
}

/** Absolute path for a config path value. */
export function resolvePath(p: string): string {
  return isAbsolute(p) ? p : resolve(projectRoot, p);
}
