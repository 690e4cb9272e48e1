import { expect } from 'vitest';

/**
 * Checks that `verify` refuses, without throwing, a secret stored in clear, the hash `h` (of
 * `secret`, at N = 1024) with its last character changed, and `h` with a cost too low to accept.
 */
export async function expectTamperedHashesRefused(
  verify: (secret: string, hash: string) => Promise<boolean>,
  secret: string,
  h: string,
): Promise<void> {
  expect(await verify(secret, `plain-${secret}`)).toBe(false);
  expect(
    await verify(
      secret,
      h.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    ),
  ).toBe(false);
  expect(await verify(secret, h.replace('$1024$', '$3$'))).toBe(false);
}
