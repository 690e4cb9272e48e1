import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import type { Benchmark, BenchResult } from './result.js';
import { testConfig, writeConfig } from '../tests/helpers/config.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Spawns a process, polls `url` until it answers, returns ms from spawn to ready and RSS then. */
async function coldStart(args: string[], url: string): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const r = await fetch(url);
        if (r.ok) break;
      } catch {
        // not yet listening
      }
      if (performance.now() - t0 > 20_000) throw new Error(`${url} not ready in 20 s`);
      await sleep(5);
    }
    const ms = performance.now() - t0;
    await sleep(300); // let start-up work settle before reading memory
    return { ms, rss: rssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const run: Benchmark = async () => {
  const runs = 5;
  const agent: { ms: number; rss: number }[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const config = testConfig((c) => {
      c.agent.port = port;
    });
    agent.push(await coldStart(['dist/agent.mjs', '--config', writeConfig(config)], `http://127.0.0.1:${port}/healthz`));
    // Peer: plain node serving a bare HTTP endpoint, i.e. the floor on this machine.
    const barePort = await freePort();
    const script = `import http from 'node:http'; http.createServer((q, s) => s.end('ok')).listen(${barePort}, '127.0.0.1');`;
    bare.push((await coldStart(['--input-type=module', '-e', script], `http://127.0.0.1:${barePort}/`)).ms);
  }
  const rows: BenchResult[] = [
    {
      name: 'agent cold start to ready (median of 5)',
      value: Math.round(median(agent.map((a) => a.ms))),
      unit: 'ms',
      peer: 'bare node HTTP server',
      peerValue: Math.round(median(bare)),
      goal: { max: 1500 },
    },
    {
      name: 'agent memory after start (RSS)',
      value: Math.round(median(agent.map((a) => a.rss)) * 10) / 10,
      unit: 'MiB',
      peer: null,
      peerValue: null,
      goal: null,
    },
  ];
  return rows;
};
