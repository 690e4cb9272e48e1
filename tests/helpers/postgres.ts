import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for one test file: `initdb` + `pg_ctl start` in a temp directory,
 * reachable only through a unix socket in that directory (`listen_addresses=''`), trust auth for
 * local connections, no system service. `scripts/ensure-system-deps.mjs` installs Debian's
 * `postgresql` package; its binaries live in /usr/lib/postgresql/<version>/bin, off PATH.
 *
 * initdb and the server refuse to run as root. As root (CI, this machine) both run as the
 * unprivileged `nobody` user through spawn's uid/gid, and the cluster directory is handed to
 * that user; as anyone else they run as the caller. The test process connects over the socket.
 */
export interface TestPostgres {
  /** `postgres://…` for a database (default: the cluster's `postgres`). */
  url(database?: string): string;
  /** Creates a fresh database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const superuser = 'kiosk';
const port = 5432;
let dbCounter = 0;

export function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', name)))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin', name);
  }
  return name;
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
  return { uid, gid };
}

function run(bin: string, args: string[], as: { uid: number; gid: number } | undefined, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(postgresBin(bin), args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      ...(as ?? {}),
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} ${args.join(' ')} exited ${code}: ${out.slice(-2000)}`)),
    );
  });
}

/**
 * `durable: true` keeps fsync on (benchmarks measure what a real server pays per commit); tests
 * turn it off because they check behaviour, not durability of the throwaway cluster.
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'central-pg-'));
  const as = runAs();
  if (as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  await run('initdb', ['-D', data, '-U', superuser, '--auth=trust', '--encoding=UTF8', '--no-sync'], as, dir);
  const serverOptions = `-k ${dir} -c listen_addresses='' -p ${port} -c fsync=${opts.durable ? 'on' : 'off'} -c max_connections=100 -c shared_buffers=16MB`;
  try {
    await run('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '120', 'start'], as, dir);
  } catch (err) {
    const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${tail}`, { cause: err });
  }
  const url = (database = 'postgres'): string => `postgresql://${superuser}@${encodeURIComponent(dir)}:${port}/${database}`;
  let stopped = false;
  return {
    url,
    async createDatabase(name = `central_${process.pid}_${++dbCounter}`) {
      const c = new pg.Client({ connectionString: url() });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return url(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'], as, dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
