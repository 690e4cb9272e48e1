import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A virtual serial cable: socat joins two ptys and publishes them as symlinks. The agent opens
 * `agentPath` exactly as it would open /dev/ttyUSB0; a simulator opens `devicePath`.
 *
 * socat runs under a tiny sh guard that reads our stdin: if this process dies, even by SIGKILL,
 * the pipe closes, `read` returns and the guard kills socat, so no socat is ever orphaned.
 */
export interface PtyPair {
  readonly agentPath: string;
  readonly devicePath: string;
  readonly running: boolean;
  /** Stops socat (the agent's side sees the device disappear) and removes the links. */
  close(): Promise<void>;
}

const GUARD = `socat "$1" "$2" & p=$!
trap 'kill $p 2>/dev/null; exit 0' TERM INT HUP
read _ || true
kill $p 2>/dev/null
wait $p 2>/dev/null
exit 0`;

export async function createPtyPair(agentPath: string, devicePath: string): Promise<PtyPair> {
  mkdirSync(dirname(agentPath), { recursive: true });
  mkdirSync(dirname(devicePath), { recursive: true });
  for (const p of [agentPath, devicePath]) rmSync(p, { force: true });

  const child: ChildProcess = spawn(
    'sh',
    ['-c', GUARD, 'pty-guard', `pty,raw,echo=0,link=${agentPath}`, `pty,raw,echo=0,link=${devicePath}`],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      stderr += err.message;
      exited = true;
      resolve();
    });
  });

  const deadline = Date.now() + 5000;
  while (!(existsSync(agentPath) && existsSync(devicePath))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGTERM');
      const hint = /ENOENT|not found/.test(stderr)
        ? 'socat is not installed (Debian package "socat")'
        : stderr.trim() || 'socat did not create the pty links within 5 s';
      throw new Error(`cannot create virtual serial port ${agentPath}: ${hint}`);
    }
    await sleep(10);
  }

  return {
    agentPath,
    devicePath,
    get running() {
      return !exited;
    },
    async close() {
      if (!exited) {
        child.stdin?.end();
        const forced = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exitPromise;
        clearTimeout(forced);
      }
      for (const p of [agentPath, devicePath]) rmSync(p, { force: true });
    },
  };
}
