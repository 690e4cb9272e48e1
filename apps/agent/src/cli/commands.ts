import { cameraCommands } from './camera.js';
import { configCommands } from './config.js';
import { doctorCommands } from './doctor.js';
import { gasCommands } from './gas.js';
import { idcardCommands } from './idcard.js';
import { printerCommands } from './printer.js';
import { scannerCommands } from './scanner.js';
import { staffCommands } from './staff.js';
import type { CliCommand } from '@kiosk/platform';

/** Every `kiosk …` command. Feature modules export their commands; list them here. */
export const commands: CliCommand[] = [
  ...configCommands,
  ...cameraCommands,
  ...idcardCommands,
  ...printerCommands,
  ...scannerCommands,
  ...gasCommands,
  ...staffCommands,
  ...doctorCommands,
];
