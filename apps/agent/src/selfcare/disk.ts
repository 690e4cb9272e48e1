import { readdirSync, rmSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '@kiosk/platform';

/** Free bytes for an unprivileged process on the file system holding `dir`. */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * What the disk guard may throw away when space runs low, cheapest loss first: nothing the
 * journal needs (orders, job rows, audit) — only bytes kept for convenience.
 */
export function pruneForSpace(db: Db): string[] {
  const done: string[] = [];
  const hasJobs = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'print_jobs'").get();
  if (hasJobs) {
    // Raw print data of settled jobs (kept only for reprints); the job rows stay.
    const n = db
      .prepare("UPDATE print_jobs SET data = NULL WHERE data IS NOT NULL AND state IN ('printed', 'failed', 'refused')")
      .run().changes;
    if (n) done.push(`erased the raw data of ${n} settled print job(s)`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  done.push('checkpointed the database log');
  // Screenshot profiles a killed agent left behind in the temp directory.
  const cutoff = Date.now() - 3600_000;
  let stale = 0;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('kiosk-shot-')) continue;
    const p = join(tmpdir(), name);
    try {
      if (statSync(p).mtimeMs < cutoff) {
        rmSync(p, { recursive: true, force: true });
        stale++;
      }
    } catch {
      // gone meanwhile
    }
  }
  if (stale) done.push(`removed ${stale} stale screenshot profile(s)`);
  db.exec('VACUUM');
  done.push('vacuumed the database');
  return done;
}
