/**
 * Promise-chain mutual exclusion: one device conversation, one signed request, one PIN check at a
 * time. A failed task never blocks the ones queued behind it.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once every task queued before it has settled; resolves or rejects as `fn` does. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(() => fn());
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once everything queued so far has settled (never rejects). */
  settled(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}

/**
 * One Mutex per key (e.g. per order), forgotten once its queue drains. `onReleased(key)` runs when
 * the last task of a key has settled.
 */
export class KeyedMutex<K = string> {
  private readonly tails = new Map<K, Promise<unknown>>();

  constructor(private readonly onReleased: (key: K) => void = () => {}) {}

  run<T>(key: K, fn: () => T | Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(() => fn());
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) !== tail) return;
      this.tails.delete(key);
      this.onReleased(key);
    });
    return result;
  }

  /** A task for this key is queued or running. */
  has(key: K): boolean {
    return this.tails.has(key);
  }

  /** Resolves once no task is held for the key (including tasks queued while waiting). */
  async settled(key: K): Promise<void> {
    for (;;) {
      const tail = this.tails.get(key);
      if (!tail) return;
      await tail;
    }
  }

  /** Settles when each currently held key's queue has (never rejects), for stop(). */
  pending(): Promise<unknown>[] {
    return [...this.tails.values()];
  }
}
