// The write deadline the serial and TCP transports share (packages/transport/src/transport.ts).
import { describe, expect, it } from 'vitest';
import { WriteTimeoutError, writeWithin } from '@kiosk/transport';

describe('writeWithin', () => {
  it('resolves when the port finishes, and only the first finish counts', async () => {
    await expect(
      writeWithin('tcp:x', 1000, (finish) => {
        finish();
        finish(new Error('too late to matter'));
      }),
    ).resolves.toBeUndefined();
  });

  it('rejects with the port error named after the transport', async () => {
    await expect(writeWithin('serial:/dev/ttyS9', 1000, (finish) => finish(new Error('EIO')))).rejects.toThrow(
      'serial:/dev/ttyS9: EIO',
    );
  });

  it('a write that never finishes rejects with WriteTimeoutError; a finish after that changes nothing', async () => {
    let late: ((err?: Error | null) => void) | undefined;
    const p = writeWithin('tcp:x', 20, (finish) => (late = finish));
    await expect(p).rejects.toBeInstanceOf(WriteTimeoutError);
    expect(() => late!()).not.toThrow();
  });
});
