/**
 * `npx kiosk-central …`: central's operator CLI. Kiosk enrollment:
 *   kiosk add ID [--site S] [--name N]      enrolls a kiosk; prints its new secret once, as the last line
 *   kiosk rotate-secret ID [--grace-hours H] new secret (last line); the old one works H hours more
 *   kiosk disable ID                        the kiosk can no longer sign in (history kept)
 *   kiosk list                              enrolled kiosks
 * Uses central's config (`--config PATH`, CENTRAL_CONFIG, else config/central.default.json), its
 * database (CENTRAL_DATABASE_URL or `database.url`, else SQLite in dataDir) and master key
 * (CENTRAL_MASTER_KEY, else the key file in dataDir for SQLite).
 */
import { resolvePath } from '@kiosk/kiosk-config';
import { CentralConfigError, centralConfigPath, databaseUrl, loadCentralConfig } from './config.js';
import { Enrollment } from './enrollment.js';
import { SecretBox } from './secrets.js';
import { CentralStore } from './store/store.js';

const usage = `Usage: kiosk-central kiosk add ID [--site SITE] [--name NAME]
       kiosk-central kiosk rotate-secret ID [--grace-hours H]
       kiosk-central kiosk disable ID
       kiosk-central kiosk list
Options: --config PATH (or CENTRAL_CONFIG). Environment: CENTRAL_DATABASE_URL, CENTRAL_MASTER_KEY.
`;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    args.splice(i, 2);
    return v;
  }
  const eq = args.findIndex((a) => a.startsWith(`${name}=`));
  if (eq >= 0) {
    const v = args[eq]!.slice(name.length + 1);
    args.splice(eq, 1);
    return v;
  }
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  if (!args.length || args.includes('--help') || args.includes('-h')) {
    process.stdout.write(usage);
    return args.length ? 0 : 2;
  }
  let config;
  let url: string | undefined;
  try {
    const configPath = centralConfigPath(args, process.env);
    option(args, '--config');
    config = loadCentralConfig(configPath);
    url = databaseUrl(config, process.env);
  } catch (err) {
    if (err instanceof CentralConfigError || err instanceof UsageError) {
      process.stderr.write(`kiosk-central: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const site = option(args, '--site');
  const name = option(args, '--name');
  const graceText = option(args, '--grace-hours');
  const [group, verb, id, ...rest] = args;
  if (group !== 'kiosk' || !verb || rest.length) throw new UsageError(`unknown command: ${args.join(' ')}`);
  if (verb !== 'list' && !id) throw new UsageError(`kiosk ${verb} needs a kiosk id`);
  const graceHours = graceText === undefined ? config.enrollment.rotationGraceHours : Number(graceText);
  if (!(graceHours >= 0)) throw new UsageError('--grace-hours must be a number of hours, 0 or more');

  const dataDir = resolvePath(config.dataDir);
  const store = await CentralStore.open({ databaseUrl: url, dataDir });
  try {
    const enrollment = new Enrollment(store, SecretBox.load(process.env, dataDir, store.dialect === 'sqlite'));
    const where = store.dialect === 'sqlite' ? `${dataDir}/central.db` : 'PostgreSQL';
    switch (verb) {
      case 'add': {
        const secret = await enrollment.add({ id: id!, site, name });
        process.stdout.write(`enrolled kiosk ${id} (${site ?? 'no site'}${name ? `, ${name}` : ''}) in ${where}\n`);
        process.stdout.write(`put this secret in the kiosk's config as central.secret; it is not shown again:\n${secret}\n`);
        return 0;
      }
      case 'rotate-secret': {
        const secret = await enrollment.rotate(id!, Math.round(graceHours * 3_600_000));
        process.stdout.write(`new secret for kiosk ${id}; the old one is accepted for ${graceHours} more hours:\n${secret}\n`);
        return 0;
      }
      case 'disable':
        await enrollment.disable(id!);
        process.stdout.write(`kiosk ${id} disabled: it can no longer sign in; its history stays\n`);
        return 0;
      case 'list': {
        const rows = await enrollment.list();
        const fmt = (t: number | null) => (t === null ? '-' : new Date(Number(t)).toISOString());
        process.stdout.write('id\tenabled\tstate\tlast seen\told secret until\tsite\tname\n');
        for (const k of rows) {
          process.stdout.write(
            `${k.id}\t${Number(k.enabled) === 1 ? 'yes' : 'no'}\t${k.state}\t${fmt(k.last_seen_at)}\t${fmt(k.prev_secret_until)}\t${k.site}\t${k.name ?? ''}\n`,
          );
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command: kiosk ${verb}`);
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`kiosk-central: ${err.message}\n${usage}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`kiosk-central: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
