import { z } from 'zod';

/**
 * Failure injection for tests and demos: "make the next N calls of operation X time out / fail
 * with 5xx / return broken JSON". Operations are named (see docs/sandbox-api.openapi.yaml,
 * `x-operation`), e.g. `property.query`, `gas.iot.credit`; a trailing `*` matches a prefix.
 *
 * phase `after` runs the real operation first and then spoils the response, which is how a lost
 * reply looks to the kiosk: the gas was credited but the kiosk never heard.
 */
export const faultSpecSchema = z.object({
  operation: z.string().min(1).max(100),
  kind: z.enum(['timeout', 'error', 'malformed', 'invalid', 'reset', 'delay']),
  /** HTTP status for kind=error (default 503). */
  status: z.number().int().min(400).max(599).optional(),
  /** How many matching calls to affect (default 1). */
  count: z.number().int().min(1).max(10_000).default(1),
  phase: z.enum(['before', 'after']).default('before'),
  /** kind=delay: how long before the call proceeds; kind=timeout: how long to hang before dropping the socket (default 60 s). */
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

function matches(pattern: string, operation: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return operation.startsWith(pattern.slice(0, -1));
  return pattern === operation;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    const f: ActiveFault = { ...spec, id: this.nextId++, remaining: spec.count };
    this.faults.push(f);
    return f;
  }

  /** Consumes one use of the first fault matching this operation and phase. */
  take(operation: string, phase: 'before' | 'after'): ActiveFault | undefined {
    const f = this.faults.find((x) => x.phase === phase && matches(x.operation, operation));
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
    return { ...f };
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
