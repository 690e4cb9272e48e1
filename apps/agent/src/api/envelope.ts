import { z } from 'zod';

/** XFS4IoT-style message envelope used on the agent's WebSocket. */
const messageTypes = ['command', 'acknowledge', 'event', 'completion', 'unsolicited'] as const;
type MessageType = (typeof messageTypes)[number];

const completionCodes = [
  'success',
  'canceled',
  'deviceNotReady',
  'hardwareError',
  'internalError',
  'invalidCommand',
  'invalidData',
  'timeOut',
  'unsupportedCommand',
  'userError',
  'sequenceError',
  'authorisationRequired',
] as const;
export type CompletionCode = (typeof completionCodes)[number];

/** Acknowledge status; absent means accepted. */
const ackStatuses = ['invalidMessage', 'invalidRequestID', 'tooManyRequests'] as const;
export type AckStatus = (typeof ackStatuses)[number];

const commandHeaderSchema = z.object({
  name: z.string().regex(/^[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*$/, 'must look like Interface.Command'),
  requestId: z
    .number()
    .int()
    .positive()
    .max(2 ** 31 - 1),
  type: z.literal('command'),
  /** Milliseconds; 0 or absent = no timeout. */
  timeout: z.number().int().min(0).max(3_600_000).optional(),
  version: z.string().optional(),
});

export const commandMessageSchema = z
  .object({
    header: commandHeaderSchema,
    payload: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export interface Header {
  name: string;
  requestId: number;
  type: MessageType;
  timeout?: number;
  completionCode?: CompletionCode;
  errorDescription?: string;
  status?: AckStatus;
}

export interface Message<P = unknown> {
  header: Header;
  payload: P;
}

/** One line saying what is wrong with a zod failure, for `errorDescription`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : 'message'}: ${i.message}`).join('; ');
}
