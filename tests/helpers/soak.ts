/**
 * The soak (issue 20, "Prove it"): N complete citizen sessions, the four services in turn, over
 * the agent's WebSocket API on the production composition with the simulators, the sandbox and a
 * real central, all in this process. RSS, heap, open file descriptors and event-loop lag are
 * taken after a warm-up and at the end (after a full GC both times, so the figures compare
 * retained memory, not garbage that has not been collected yet).
 */
import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { everyService, JourneyClient } from './journeys.js';
import { startProductionKiosk } from './production-kiosk.js';

export interface SoakSample {
  sessions: number;
  rssMb: number;
  heapUsedMb: number;
  fds: number;
  /** Event-loop delay over the phase before the sample, ms. */
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface SoakReport {
  warm: SoakSample;
  end: SoakSample;
  rssGrowthMb: number;
  heapGrowthMb: number;
  fdGrowth: number;
  sessionsPerSecond: number;
}

function fullGc(): void {
  // Without --expose-gc on the command line: enable it for a fresh context (the same isolate).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  gc?.();
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function runSoak(opts: {
  sessions: number;
  warmup: number;
  onProgress?: (done: number) => void;
}): Promise<SoakReport> {
  const k = await startProductionKiosk({
    central: true,
    config: (c) => {
      for (const s of ['property', 'tax', 'social', 'licence'] as const) c.session.services[s].face = 'off';
    },
  });
  const client = await JourneyClient.open(k);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const sample = async (sessions: number): Promise<SoakSample> => {
    lag.disable();
    // Let sockets and timers of the last session close before counting. An idle keep-alive HTTP
    // connection (fetch's pool: 4 s; Node's server: 5 s) to a back end the last session used is
    // two descriptors in this one process (client and server side) until it times out: wait it out,
    // so only descriptors that outlive every timeout count as growth.
    await new Promise((r) => setTimeout(r, 5_500));
    fullGc();
    const m = process.memoryUsage();
    const s: SoakSample = {
      sessions,
      rssMb: mb(m.rss),
      heapUsedMb: mb(m.heapUsed),
      fds: readdirSync('/proc/self/fd').length,
      lagP99Ms: Math.round(lag.percentile(99) / 1e5) / 10,
      lagMaxMs: Math.round(lag.max / 1e5) / 10,
    };
    lag.reset();
    lag.enable();
    return s;
  };
  try {
    await client.until(
      'devices online',
      () => ['idcard', 'printer', 'gascard'].every((d) => k.agent.deviceStatuses()[d]?.device === 'online'),
      60_000,
    );
    lag.enable();
    let done = 0;
    const runOne = async (): Promise<void> => {
      await client.run(everyService[done % everyService.length]!);
      done += 1;
      // Receipts pile up in the simulator (a paper roll): empty the tray now and then.
      if (done % 50 === 0) await k.control('DELETE', '/printer/receipts');
      opts.onProgress?.(done);
    };
    while (done < opts.warmup) await runOne();
    const warm = await sample(done);
    const t0 = Date.now();
    while (done < opts.warmup + opts.sessions) await runOne();
    const seconds = (Date.now() - t0) / 1000;
    const end = await sample(done);
    lag.disable();
    return {
      warm,
      end,
      rssGrowthMb: Math.round((end.rssMb - warm.rssMb) * 10) / 10,
      heapGrowthMb: Math.round((end.heapUsedMb - warm.heapUsedMb) * 10) / 10,
      fdGrowth: end.fds - warm.fds,
      sessionsPerSecond: Math.round((opts.sessions / seconds) * 100) / 100,
    };
  } finally {
    client.close();
    await k.stop();
  }
}
