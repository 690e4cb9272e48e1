import { backoffDelay, type Logger } from '@kiosk/platform';
import { spawnNode, stopChild, waitHealthy, type Child } from './processes.js';

/** One process `npm start` runs: a bundle in dist/, its arguments, and the URL that says it is up. */
export interface ProcessSpec {
  name: string;
  file: string;
  args: string[];
  health: string;
  /** The line printed for people once everything runs. */
  url: string;
}

export interface Backoff {
  /** Delay before the first restart; doubles with each failed one. */
  baseMs: number;
  maxMs: number;
  /** A process that stayed up this long starts again from baseMs next time. */
  stableMs: number;
}

export const defaultBackoff: Backoff = { baseMs: 1000, maxMs: 30_000, stableMs: 60_000 };

/** Delay before restart number `attempt` (0-based): base, 2×base, 4×base … capped. */
export function restartDelay(attempt: number, b: Backoff = defaultBackoff): number {
  return backoffDelay(attempt + 1, b);
}

interface State {
  attempt: number;
  /** true while start() waits for health; its caller decides what a failure means. */
  starting: boolean;
  retry: boolean;
}

/**
 * Keeps `npm start`'s processes running. A process that exits is started again after a growing
 * delay. The agent is special: if it cannot start (first time or after a crash), `onFatal` is
 * called and the caller stops everything, because a kiosk without its agent serves nobody.
 */
export class Supervisor {
  stopping = false;
  onFatal: ((why: string) => void) | undefined;
  private readonly running = new Map<string, Child>();
  private readonly order: string[] = [];
  private readonly states = new Map<string, State>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly log: Logger,
    private readonly agentName: string,
    private readonly backoff: Backoff = defaultBackoff,
  ) {}

  /**
   * Spawns and waits until healthy. On failure: with `retryOnFailure` the process is retried in
   * the background (companions); without, the caller gets false and nothing is retried.
   */
  async start(spec: ProcessSpec, opts: { retryOnFailure: boolean }): Promise<boolean> {
    if (this.stopping) return false;
    if (!this.order.includes(spec.name)) this.order.push(spec.name);
    const st = this.state(spec.name);
    st.starting = true;
    st.retry = opts.retryOnFailure;
    const child = spawnNode(spec.name, spec.file, spec.args);
    this.running.set(spec.name, child);
    let healthySince: number | null = null;
    void child.exited.then((code) => this.exited(spec, child, code, healthySince));
    try {
      await waitHealthy(child, spec.health);
      healthySince = Date.now();
      st.starting = false;
      if (st.attempt > 0) this.log.info({ process: spec.name, attempt: st.attempt }, 'process restarted');
      return true;
    } catch (err) {
      if (this.stopping) return false;
      this.log.error({ process: spec.name, err: err instanceof Error ? err.message : String(err) }, 'process did not start');
      // Still running but not healthy: stop it; its exit schedules the retry when one is wanted.
      await stopChild(child);
      st.starting = false;
      return false;
    }
  }

  /** Stops every process in reverse start order; no restarts from here on. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const name of [...this.order].reverse()) {
      const c = this.running.get(name);
      if (c && (await stopChild(c))) this.log.warn({ process: name }, 'did not stop in time; killed');
    }
  }

  private state(name: string): State {
    let st = this.states.get(name);
    if (!st) {
      st = { attempt: 0, starting: false, retry: true };
      this.states.set(name, st);
    }
    return st;
  }

  private exited(spec: ProcessSpec, child: Child, code: number | null, healthySince: number | null): void {
    if (this.running.get(spec.name) !== child) return;
    this.running.delete(spec.name);
    if (this.stopping) return;
    const st = this.state(spec.name);
    // A start that is still being waited for and must not be retried: start()'s caller handles it.
    if (st.starting && !st.retry) return;
    if (healthySince !== null && Date.now() - healthySince >= this.backoff.stableMs) st.attempt = 0;
    const delay = restartDelay(st.attempt, this.backoff);
    st.attempt++;
    this.log.error({ process: spec.name, code, restartInMs: delay }, 'process exited unexpectedly; restarting it');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.restart(spec);
    }, delay);
    this.timers.add(timer);
  }

  private async restart(spec: ProcessSpec): Promise<void> {
    const isAgent = spec.name === this.agentName;
    const ok = await this.start(spec, { retryOnFailure: !isAgent });
    if (!ok && isAgent && !this.stopping) this.onFatal?.(`${spec.name} did not start again`);
  }
}
