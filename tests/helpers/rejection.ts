import { expect } from 'vitest';

/** The error `p` rejects with, checked to be a `type`; fails the test if `p` resolves. */
export async function rejectedWith<E>(type: abstract new (...args: never[]) => E, p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected the call to fail with a ${type.name}`);
}
