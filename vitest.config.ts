import { defineConfig } from 'vitest/config';

// Vitest gets its own config so it does not pick up the UI's vite.config.ts (root: kiosk-ui).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests bind fixed-free ports and ptys; files run in parallel forks.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
