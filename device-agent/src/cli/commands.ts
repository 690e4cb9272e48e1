import type { CliCommand } from './registry.js';

/** Every `kiosk …` command. Feature modules export their commands; list them here. */
export const commands: CliCommand[] = [];
