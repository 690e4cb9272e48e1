/**
 * Process entry of every long-running program (agent, central, sandbox, simulators, `npm start`):
 * one rule for how start-up failures end the process.
 */

/** sysexits.h EX_CONFIG: the configuration is wrong; restarting will not help. */
export const EX_CONFIG = 78;

/** A configuration that cannot be used: the message names every bad field (one line). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Runs `main`. A number it returns becomes the exit code (a server's main returns only once it
 * has stopped; one that returns nothing leaves the process to its handles). A ConfigError prints
 * `<name>: <message>` and exits 78; any other throw prints the same way and exits 1.
 * `exitWhenDone`: exit as soon as main returns a code (a launcher whose children may still hold handles).
 */
export function processMain(name: string, main: () => Promise<number | void>, opts: { exitWhenDone?: boolean } = {}): void {
  main().then(
    (code) => {
      if (typeof code !== 'number') return;
      if (opts.exitWhenDone) process.exit(code);
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      // exit, not exitCode: a failed start-up may have left timers or sockets open.
      process.exit(err instanceof ConfigError ? EX_CONFIG : 1);
    },
  );
}
