import Database from 'better-sqlite3';

/**
 * Every row of every table of a SQLite file as text, for the privacy sweeps. Values are written
 * as they are (no JSON escaping, which could hide raw bytes from a search); binary columns as
 * latin1, so a needle's bytes are found inside them too.
 */
export function dumpSqlite(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    const cell = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
    return tables
      .map(
        (t) =>
          `${t.name}:\n${(db.prepare(`SELECT * FROM "${t.name}"`).raw().all() as unknown[][]).map((r) => r.map(cell).join('\t')).join('\n')}`,
      )
      .join('\n');
  } finally {
    db.close();
  }
}
