import { describe, expect, it } from 'vitest';
import { KeyedMutex, Mutex } from '@kiosk/platform';

/** A promise the test settles by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('Mutex', () => {
  it('runs tasks one at a time in call order, passing results and errors through', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const g = gate();
    const a = m.run(async () => {
      log.push('a start');
      await g.promise;
      log.push('a end');
      return 1;
    });
    const b = m.run(() => {
      log.push('b');
      throw new Error('b failed');
    });
    const c = m.run(() => {
      log.push('c');
      return 'c';
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    g.open();
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('b failed');
    // A failed task never blocks the next one.
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
    await expect(m.settled()).resolves.toBeUndefined();
  });
});

describe('KeyedMutex', () => {
  it('serialises per key, lets other keys run, and forgets a key once released', async () => {
    const released: string[] = [];
    const m = new KeyedMutex<string>((k) => released.push(k));
    const g = gate();
    const log: string[] = [];
    const a1 = m.run('A', async () => {
      await g.promise;
      log.push('A1');
    });
    const a2 = m.run('A', () => {
      log.push('A2');
    });
    await m.run('B', () => {
      log.push('B');
    });
    expect(log).toEqual(['B']);
    expect(m.has('A')).toBe(true);
    const settled = m.settled('A');
    g.open();
    await Promise.all([a1, a2, settled]);
    expect(log).toEqual(['B', 'A1', 'A2']);
    await Promise.all(m.pending());
    expect(m.has('A')).toBe(false);
    expect(m.has('B')).toBe(false);
    expect(released.sort()).toEqual(['A', 'B']);
  });
  it('a rejected task releases the key', async () => {
    const m = new KeyedMutex();
    await expect(m.run('x', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await m.settled('x');
    expect(m.has('x')).toBe(false);
  });
});
