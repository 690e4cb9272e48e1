import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every regular file under `dir`, recursively, for the privacy sweeps that search a data dir or
 * a browser profile byte by byte. A file that vanishes while the tree is walked (a browser
 * rotating its journals) is skipped, and so is anything that is not a file (a socket, a device).
 */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else if (st.isFile()) out.push(p);
  }
  return out;
}
