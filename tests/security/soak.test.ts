/**
 * The short soak for CI (issue 20): a few rounds of all four services over the WebSocket API on
 * the production composition; every session completes and no file descriptor is left open after
 * the warm-up. The long run with its memory figures is `npm run bench` (soak_rss_growth_mb,
 * soak_fd_growth; SOAK_SESSIONS=10000 for the full one).
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../helpers/soak.js';

describe('short soak', () => {
  it('20 sessions after a warm-up of 10: all complete, no descriptor growth; figures reported', async () => {
    const r = await runSoak({ sessions: 20, warmup: 10 });
    console.info(
      `soak: warm ${JSON.stringify(r.warm)} end ${JSON.stringify(r.end)} rss ${r.rssGrowthMb} MB heap ${r.heapGrowthMb} MB fds ${r.fdGrowth}`,
    );
    expect(r.end.sessions).toBe(30);
    expect(r.fdGrowth).toBeLessThanOrEqual(0);
  }, 600_000);
});
