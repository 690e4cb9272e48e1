/**
 * One full stack (tests/flows/stack.ts: sandbox, agent, simulators, Chromium) for all the tests of a
 * file: started before the first, stopped after the last. The file keeps its own `s` variable and
 * receives the stack through `use`, so its tests read as before.
 */
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack, type StackOptions } from '../flows/stack.js';

export function stackPerFile(use: (s: Stack) => void, opts: StackOptions = {}, timeoutMs = 60_000): void {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(opts);
    use(stack);
  }, timeoutMs);
  afterAll(async () => {
    await stack?.stop();
  });
}
