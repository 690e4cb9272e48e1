/**
 * The safe point vendor mode waits for (XFS4IoT: every application acknowledges before vendor
 * mode): no payment, card write or print in the session and no gas money step.
 */
import { CommandError } from '../api/commands.js';
import type { StaffPorts } from './ports.js';

/** What is in flight now: the session's busy step or a gas money step; null when safe. */
function busyNow(ports: StaffPorts): string | null {
  return ports.session()?.view().busy ?? ports.gas()?.busyReason() ?? null;
}

export async function untilSafe(ports: StaffPorts, signal: AbortSignal, onWait: (reason: string) => void): Promise<void> {
  for (;;) {
    const reason = busyNow(ports);
    if (reason === null) return;
    onWait(reason);
    const session = ports.session();
    const gas = ports.gas();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(new CommandError('canceled', 'staff entry cancelled while waiting'));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const waits: Promise<void>[] = [];
      if (session?.view().busy) waits.push(session.whenSafe());
      if (gas?.busyReason()) waits.push(gas.whenIdle());
      // A busy step from a source without a waiter: look again shortly.
      if (waits.length === 0) waits.push(new Promise((r) => setTimeout(r, 250)));
      void Promise.all(waits).then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

/** Ends the citizen's session (goodbye → wipe). Only at a safe point; returns its id, or null. */
export function endSession(ports: StaffPorts): string | null {
  const session = ports.session();
  const v = session?.view();
  if (!session || !v?.sessionId || v.busy !== null) return null;
  session.send({ type: 'CANCEL' });
  session.send({ type: 'END' });
  return v.sessionId;
}
