// `npx kiosk …`: the field-engineer CLI. Each app exports its commands; this is where they meet.
import { cliMain } from '@kiosk/platform';
import { commands as agentCommands } from '../apps/agent/src/cli/commands.js';
import { simulatorCommands } from '../apps/simulators/src/cli/commands.js';

cliMain('kiosk', [...agentCommands, ...simulatorCommands]);
