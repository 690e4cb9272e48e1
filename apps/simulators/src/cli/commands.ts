import type { CliCommand } from '@kiosk/platform';
import { simIdcardCommands } from './sim-idcard.js';
import { simPrinterCommands } from './sim-printer.js';

/** `kiosk sim …`: the simulators on their own, for bench work without a kiosk. */
export const simulatorCommands: CliCommand[] = [...simIdcardCommands, ...simPrinterCommands];
