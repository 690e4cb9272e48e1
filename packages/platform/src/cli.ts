/**
 * Command-line tools (`npx kiosk …`, `npx kiosk-central …`): each app exports its commands; a bin
 * script lists them and calls cliMain. This file holds the shape, the dispatcher and the help.
 */
export interface CliCommand {
  /** Words after `kiosk`, e.g. ['device', 'idcard', 'read']. */
  path: string[];
  summary: string;
  /** Full usage line(s) printed by `--help`. */
  usage: string;
  /** Returns the process exit code. Arguments are those after `path`. */
  run(args: string[]): Promise<number>;
}

export function findCommand(
  commands: readonly CliCommand[],
  argv: readonly string[],
): { command: CliCommand; rest: string[] } | undefined {
  let best: CliCommand | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export function helpText(commands: readonly CliCommand[], prefix: readonly string[] = [], tool = 'kiosk'): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const width = Math.max(...shown.map((c) => c.path.join(' ').length), 10);
  const lines = shown.map((c) => `  ${tool} ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    `Usage: ${tool} <command> [options]`,
    '',
    'Commands:',
    ...lines,
    '',
    `Run \`${tool} <command> --help\` for its options.`,
  ].join('\n');
}

/** Runs the command argv names; returns the exit code. Unknown commands print help, exit 1. */
export async function runCli(tool: string, commands: readonly CliCommand[], argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(helpText(commands, [], tool) + '\n');
    return 0;
  }
  const found = findCommand(commands, argv);
  if (!found) {
    const prefix = argv.filter((a) => !a.startsWith('-'));
    const partial = commands.some((c) => prefix.every((w, i) => c.path[i] === w));
    if (partial) {
      process.stdout.write(helpText(commands, prefix, tool) + '\n');
      return argv.includes('--help') ? 0 : 1;
    }
    process.stderr.write(`${tool}: unknown command "${argv.join(' ')}"; see ${tool} --help\n`);
    return 1;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(found.command.usage + '\n');
    return 0;
  }
  return found.command.run(found.rest);
}

/** Process entry of a CLI: runs argv and sets the exit code (an unexpected throw exits 1). */
export function cliMain(tool: string, commands: readonly CliCommand[]): void {
  runCli(tool, commands, process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${tool}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/** A command line that names an unknown flag or a value out of range (exit 1 with the usage hint). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An integer option in min..max, or the fallback when absent; throws a message naming the flag. */
export function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} must be an integer ${min}..${max}, got "${raw}"`);
  return n;
}
