import { commands } from './commands.js';
import { findCommand, helpText } from './registry.js';

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(helpText(commands) + '\n');
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    const prefix = argv.filter((a) => !a.startsWith('-'));
    const partial = commands.some((c) => prefix.every((w, i) => c.path[i] === w));
    if (partial) {
      process.stdout.write(helpText(commands, prefix) + '\n');
      return argv.includes('--help') ? 0 : 1;
    }
    process.stderr.write(`kiosk: unknown command "${argv.join(' ')}"; see kiosk --help\n`);
    return 1;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(found.command.usage + '\n');
    return 0;
  }
  return found.command.run(found.rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`kiosk: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
