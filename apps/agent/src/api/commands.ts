import type { z } from 'zod';
import type { CompletionCode } from './envelope.js';

/** What a command handler gets besides its payload. */
export interface CommandContext {
  /** Sends an intermediate event with the command's requestId. */
  event(name: string, payload: unknown): void;
  /** Aborted on the header timeout, on Common.Cancel, and when the connection closes. */
  signal: AbortSignal;
  /** Identifies the UI connection (for per-connection state such as liveness). */
  connectionId: string;
}

export interface CommandResult {
  completionCode: CompletionCode;
  payload?: unknown;
  errorDescription?: string;
}

export interface CommandDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  handle(payload: z.infer<S>, ctx: CommandContext): Promise<CommandResult>;
}

/** Typed helper so each definition keeps its payload type. */
export function defineCommand<S extends z.ZodType>(def: CommandDefinition<S>): CommandDefinition<S> {
  return def;
}

/** Thrown by handlers to complete with a specific code and a readable reason. */
export class CommandError extends Error {
  constructor(
    readonly completionCode: CompletionCode,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
