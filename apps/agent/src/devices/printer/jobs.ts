import type { Db } from '@kiosk/platform';

/**
 * Print jobs in SQLite (table print_jobs, migration "print jobs"). A job row is written before
 * any byte goes to the printer and moves through
 *   pending → sending → checking → printed | failed | unknown     (or pending → refused)
 * Nothing is ever re-sent automatically: a reprint is an explicit new row with reprint_of set.
 */

const jobStates = ['pending', 'sending', 'checking', 'printed', 'failed', 'unknown', 'refused'] as const;
export type JobState = (typeof jobStates)[number];
const finalStates: readonly JobState[] = ['printed', 'failed', 'unknown', 'refused'];

export interface PrintJob {
  id: number;
  kind: string;
  ref: string | null;
  profile: string;
  state: JobState;
  reason: string | null;
  detail: string | null;
  warnings: string[];
  byteCount: number;
  bytesSent: number;
  reprintOf: number | null;
  /** The bytes are still kept, so the job can be reprinted. */
  reprintable: boolean;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface StoredJobData {
  bytes: Uint8Array;
  boundaries: number[];
  processedMarker: boolean;
}

interface Row {
  id: number;
  kind: string;
  ref: string | null;
  profile: string;
  state: JobState;
  reason: string | null;
  detail: string | null;
  warnings: string;
  byte_count: number;
  bytes_sent: number;
  reprint_of: number | null;
  has_data: number;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

const columns = `id, kind, ref, profile, state, reason, detail, warnings, byte_count, bytes_sent, reprint_of,
  data IS NOT NULL AS has_data, created_at, updated_at, finished_at`;

function fromRow(r: Row): PrintJob {
  return {
    id: r.id,
    kind: r.kind,
    ref: r.ref,
    profile: r.profile,
    state: r.state,
    reason: r.reason,
    detail: r.detail,
    warnings: JSON.parse(r.warnings) as string[],
    byteCount: r.byte_count,
    bytesSent: r.bytes_sent,
    reprintOf: r.reprint_of,
    reprintable: r.has_data === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  };
}

export interface NewJob {
  kind: string;
  ref?: string | null;
  profile: string;
  data: StoredJobData;
  reprintOf?: number | null;
}

export interface JobUpdate {
  reason?: string | null;
  detail?: string | null;
  warnings?: string[];
  bytesSent?: number;
}

export class JobStore {
  constructor(private readonly db: Db) {}

  create(job: NewJob): PrintJob {
    const now = new Date().toISOString();
    const info = this.db
      .prepare(
        `INSERT INTO print_jobs (kind, ref, profile, state, data, boundaries, processed_marker, byte_count, reprint_of, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        job.kind,
        job.ref ?? null,
        job.profile,
        Buffer.from(job.data.bytes),
        JSON.stringify(job.data.boundaries),
        job.data.processedMarker ? 1 : 0,
        job.data.bytes.length,
        job.reprintOf ?? null,
        now,
        now,
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  setState(id: number, state: JobState, update: JobUpdate = {}): PrintJob {
    const now = new Date().toISOString();
    const sets = ['state = @state', 'updated_at = @now'];
    const params: Record<string, unknown> = { id, state, now };
    if (finalStates.includes(state)) sets.push('finished_at = @now');
    const optional: [keyof JobUpdate, string, unknown][] = [
      ['reason', 'reason', update.reason],
      ['detail', 'detail', update.detail],
      ['warnings', 'warnings', update.warnings === undefined ? undefined : JSON.stringify(update.warnings)],
      ['bytesSent', 'bytes_sent', update.bytesSent],
    ];
    for (const [key, column, value] of optional) {
      if (value === undefined) continue;
      sets.push(`${column} = @${key}`);
      params[key] = value;
    }
    const r = this.db.prepare(`UPDATE print_jobs SET ${sets.join(', ')} WHERE id = @id`).run(params);
    if (r.changes !== 1) throw new Error(`print job ${id} does not exist`);
    return this.get(id)!;
  }

  get(id: number): PrintJob | undefined {
    const r = this.db.prepare(`SELECT ${columns} FROM print_jobs WHERE id = ?`).get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  data(id: number): StoredJobData | undefined {
    const r = this.db.prepare('SELECT data, boundaries, processed_marker FROM print_jobs WHERE id = ?').get(id) as
      { data: Buffer | null; boundaries: string; processed_marker: number } | undefined;
    if (!r?.data) return undefined;
    return {
      bytes: new Uint8Array(r.data),
      boundaries: JSON.parse(r.boundaries) as number[],
      processedMarker: r.processed_marker === 1,
    };
  }

  /** Newest first. */
  list(limit = 20, state?: JobState): PrintJob[] {
    const rows = (
      state
        ? this.db.prepare(`SELECT ${columns} FROM print_jobs WHERE state = ? ORDER BY id DESC LIMIT ?`).all(state, limit)
        : this.db.prepare(`SELECT ${columns} FROM print_jobs ORDER BY id DESC LIMIT ?`).all(limit)
    ) as Row[];
    return rows.map(fromRow);
  }

  last(): PrintJob | undefined {
    return this.list(1)[0];
  }

  /**
   * After a crash or restart: a job that never started sending is failed (its citizen is gone —
   * printing it now would hand a stale slip to the next person); one that was sending or being
   * checked is unknown. Neither is re-sent. Returns the ids touched.
   */
  recover(): { failed: number[]; unknown: number[] } {
    const failed = (this.db.prepare(`SELECT id FROM print_jobs WHERE state = 'pending'`).all() as { id: number }[]).map(
      (r) => r.id,
    );
    const unknown = (
      this.db.prepare(`SELECT id FROM print_jobs WHERE state IN ('sending', 'checking')`).all() as { id: number }[]
    ).map((r) => r.id);
    this.db.transaction(() => {
      for (const id of failed)
        this.setState(id, 'failed', {
          reason: 'agentRestarted',
          detail: '终端重启，未打印 / agent restarted before sending; not printed',
        });
      for (const id of unknown) {
        this.setState(id, 'unknown', {
          reason: 'agentRestarted',
          detail: '终端在打印中重启，结果未知 / agent restarted while printing; outcome unknown',
        });
      }
    })();
    return { failed, unknown };
  }

  /** Erases job bytes (personal data on the slip) of finished jobs older than `days`. */
  purgeData(days: number, now = Date.now()): number {
    const cutoff = new Date(now - days * 86_400_000).toISOString();
    return this.db
      .prepare(`UPDATE print_jobs SET data = NULL WHERE data IS NOT NULL AND finished_at IS NOT NULL AND finished_at < ?`)
      .run(cutoff).changes;
  }
}
