import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Personal fields are censored wherever they appear in a log object, as
 * a last line of defence: code must already log only masked forms.
 */
export function createLogger(name: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid, service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['idNumber', '*.idNumber', '*.*.idNumber', 'holderName', '*.holderName', 'photo', '*.photo'],
      censor: '[redacted]',
    },
  };
  // A destination other than stdout: tests read what production would have written.
  return destination ? pino(options, destination) : pino(options);
}

/** For tests and tools that need a logger but no output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
