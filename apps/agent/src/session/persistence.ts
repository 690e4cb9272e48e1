import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * Keeps the machine's snapshot on disk only while a money step is in flight (a flow sent
 * FLOW.PERSIST {on: true}); otherwise sessions live in memory and vanish on wipe. Written
 * atomically (temp file, fsync, rename) so a crash leaves the old or the new snapshot, never half.
 * The snapshot holds the machine context: masked identity and flow state, no full personal data.
 */
export class SnapshotFile {
  private last: string | null = null;

  constructor(readonly path: string) {}

  save(snapshot: unknown): void {
    const text = JSON.stringify(snapshot);
    if (text === this.last) return;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.last = text;
  }

  load(): unknown {
    if (!existsSync(this.path)) return null;
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
    } catch {
      return null;
    }
  }

  clear(): void {
    if (this.last === null && !existsSync(this.path)) return;
    rmSync(this.path, { force: true });
    rmSync(`${this.path}.tmp`, { force: true });
    this.last = null;
  }
}
