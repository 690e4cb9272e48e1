import { configPathFrom, loadConfig, ConfigError } from '@kiosk/kiosk-config';
import { configHash, type CliCommand } from '@kiosk/platform';

export const configCommands: CliCommand[] = [
  {
    path: ['config', 'check'],
    summary: 'validate a kiosk config file without starting anything',
    usage:
      'kiosk config check [--config PATH]\n  Uses --config, else KIOSK_CONFIG, else config/kiosk.default.json.\n  Exit 0 and a summary when valid; exit 1 with the bad field and why.',
    async run(args) {
      const path = configPathFrom(args, process.env);
      try {
        const c = loadConfig(path);
        // The hash the heartbeat and the maintenance panel show for this config once it runs.
        const hash = configHash(c);
        process.stdout.write(`${path}: valid (kiosk ${c.kiosk.id}, config hash ${hash})\n`);
        return 0;
      } catch (err) {
        if (err instanceof ConfigError) {
          process.stderr.write(`${err.message}\n`);
          return 1;
        }
        throw err;
      }
    },
  },
];
