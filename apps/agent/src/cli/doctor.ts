import { configPathFrom, loadConfig, ConfigError } from '@kiosk/kiosk-config';
import { exitCodeOf, formatCheck, runDoctor, worstOf, type Check } from '../selfcare/doctor.js';
import type { CliCommand } from '@kiosk/platform';

export const doctorCommands: CliCommand[] = [
  {
    path: ['doctor'],
    summary: 'check a kiosk end to end: config, devices, disk, clock, central, upstreams, browser',
    usage: [
      'kiosk doctor [--config PATH] [--json]',
      '  One line per check: OK|WARN|FAIL name: detail — what to do.',
      '  Exit 0 when all OK, 1 when the worst is WARN, 2 when anything FAILs.',
      '  Asks the running agent (its /healthz) and central; works against `npm start` too.',
    ].join('\n'),
    async run(args) {
      const json = args.includes('--json');
      const path = configPathFrom(args, process.env);
      let checks: Check[];
      try {
        checks = await runDoctor(loadConfig(path), path);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        checks = [
          {
            level: 'FAIL',
            name: 'config',
            detail: err.message,
            action: `fix the file, then: npx kiosk config check --config ${path}`,
          },
        ];
      }
      const worst = worstOf(checks);
      process.stdout.write(json ? JSON.stringify({ worst, checks }, null, 2) + '\n' : checks.map(formatCheck).join('\n') + '\n');
      return exitCodeOf(worst);
    },
  },
];
