import { hashSecret, normalizeIdNumber, pinPattern } from '../staff/hash.js';
import type { CliCommand } from '@kiosk/platform';

/** Reads all of stdin (so a PIN never appears in the shell history or the process list). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8').trim();
}

const idPattern = /^(\d{17}[\dX]|[A-Z0-9]{9,18})$/;

export const staffCommands: CliCommand[] = [
  {
    path: ['staff', 'hash-pin'],
    summary: 'hash a staff PIN (from stdin) for config staff.pins[].pinHash',
    usage:
      'kiosk staff hash-pin < pin.txt\n  echo -n 246810 | kiosk staff hash-pin\n  Reads 4–12 digits from stdin; prints a salted scrypt hash. The PIN itself is never printed.',
    async run() {
      const pin = await readStdin();
      if (!pinPattern.test(pin)) {
        process.stderr.write('a PIN is 4 to 12 digits\n');
        return 1;
      }
      process.stdout.write(`${await hashSecret(pin)}\n`);
      return 0;
    },
  },
  {
    path: ['staff', 'hash-id'],
    summary: 'hash a staff member’s ID number (from stdin) for config staff.idCards[].idHash',
    usage:
      'kiosk staff hash-id < id.txt\n  Reads the ID number from stdin (check letter X in either case); prints a salted scrypt hash.',
    async run() {
      const id = normalizeIdNumber(await readStdin());
      if (!idPattern.test(id)) {
        process.stderr.write('not an ID number (18 characters, or a permit number)\n');
        return 1;
      }
      process.stdout.write(`${await hashSecret(id)}\n`);
      return 0;
    },
  },
];
