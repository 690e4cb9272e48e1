/** The slice of a pino logger the device drivers use (pino's Logger fits), and one that says nothing. */
export interface DriverLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** For a driver built without a logger (CLI, tests). */
export const silentDriverLogger: DriverLogger = { debug() {}, info() {}, warn() {}, error() {} };
