import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolve } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { fetchJson } from '@kiosk/platform';

/** A child process of `npm start`: one of the bundles in dist/ (see scripts/build-node.mjs). */
export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

export function spawnNode(name: string, file: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--enable-source-maps', resolve(projectRoot, file), ...args], {
    cwd: projectRoot,
    // stdin is a lifeline: when this process dies the pipe closes and the child stops itself.
    stdio: ['pipe', 'inherit', 'inherit'],
    env: { ...process.env, KIOSK_PARENT_PIPE: '1' },
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    proc.once('error', () => resolve(1));
  });
  return { name, proc, exited };
}

/** Polls `url` until it answers 2xx, the child exits, or the deadline passes. */
export async function waitHealthy(child: Child, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void child.exited.then(() => {
    dead = true;
  });
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${child.name} exited during start-up`);
    try {
      const res = await fetchJson(url, { timeoutMs: 1000 });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not become healthy at ${url} within ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child is gone, true if it had to be killed. */
export async function stopChild(child: Child, graceMs = 8000): Promise<boolean> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return false;
  child.proc.kill('SIGTERM');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    child.proc.kill('SIGKILL');
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
  return forced;
}
