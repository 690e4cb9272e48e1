/**
 * The config hash the heartbeat, /metrics and the maintenance panel show: which configuration a
 * process runs with. It hashes the effective (validated, defaults filled in) config in canonical
 * JSON, so key order and whitespace in the file do not change it and two processes that run the
 * same settings agree.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** First 12 hex digits of the SHA-256 of the canonical JSON. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}
