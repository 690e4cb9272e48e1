/**
 * `npx kiosk …` commands. Each device or feature module exports its commands and is listed in
 * `commands.ts`; this file only holds the shape and the dispatcher so features don't touch it.
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

export function helpText(commands: readonly CliCommand[], prefix: readonly string[] = []): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const width = Math.max(...shown.map((c) => c.path.join(' ').length), 10);
  const lines = shown.map((c) => `  kiosk ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return ['Usage: kiosk <command> [options]', '', 'Commands:', ...lines, '', 'Run `kiosk <command> --help` for its options.'].join('\n');
}
