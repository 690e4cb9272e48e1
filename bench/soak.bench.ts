/**
 * The soak (issue 20): complete citizen sessions of all four services over the WebSocket API on
 * the production composition (tests/helpers/soak.ts). `npm run bench` runs SOAK_SESSIONS (default
 * 200, a few minutes at ~1 session/s on the 2-core box); the full run is
 * `SOAK_SESSIONS=10000 npx tsx bench/run.ts soak` (about three hours).
 */
import type { Benchmark, BenchResult } from './result.js';
import { runSoak } from '../tests/helpers/soak.js';

export const run: Benchmark = async () => {
  const sessions = Number(process.env['SOAK_SESSIONS'] ?? 200);
  if (!Number.isInteger(sessions) || sessions < 1)
    throw new Error(`SOAK_SESSIONS must be a positive integer, not ${process.env['SOAK_SESSIONS']}`);
  const warmup = Math.min(50, Math.max(10, Math.round(sessions / 20)));
  const r = await runSoak({
    sessions,
    warmup,
    onProgress: (n) => {
      if (n % 100 === 0) process.stderr.write(`soak: ${n}/${sessions + warmup} sessions\n`);
    },
  });
  process.stderr.write(`soak: warm ${JSON.stringify(r.warm)}\nsoak: end  ${JSON.stringify(r.end)}\n`);
  const row = (name: string, value: number, unit: string, goal: BenchResult['goal']): BenchResult => ({
    name,
    value,
    unit,
    peer: null,
    peerValue: null,
    goal,
  });
  return [
    row('soak_rss_growth_mb', r.rssGrowthMb, 'MB', { max: 10 }),
    row('soak_fd_growth', r.fdGrowth, 'fds', { max: 0 }),
    row('soak_heap_growth_mb', r.heapGrowthMb, 'MB', null),
    row('soak_event_loop_lag_p99_ms', r.end.lagP99Ms, 'ms', null),
    row('soak_sessions', sessions, 'sessions', null),
    row('soak_sessions_per_s', r.sessionsPerSecond, 'sessions/s', null),
  ];
};
