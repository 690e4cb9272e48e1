/** The guide's controls in assisted mode: back, home, restart the service in progress. */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandDefinition } from '../api/commands.js';
import { serviceIds } from '@kiosk/contracts/session-view';
import type { StaffRuntime } from './runtime.js';

export function assistCommands(rt: StaffRuntime): CommandDefinition[] {
  return [
    defineCommand({
      name: 'Staff.Assist',
      payload: z.object({ action: z.enum(['back', 'home', 'restartService']) }).strict(),
      handle: async (p) => {
        const s = rt.requireMode('assisted');
        const session = rt.ports.session();
        if (!session) throw new CommandError('unsupportedCommand', 'no session module');
        const v = session.view();
        if (v.busy) throw new CommandError('sequenceError', `not while ${v.busy} is in flight`);
        if (p.action === 'back') session.send({ type: 'BACK' });
        else if (p.action === 'home') session.send({ type: 'HOME' });
        else {
          const service = v.service?.id;
          if (!service || !(serviceIds as readonly string[]).includes(service))
            throw new CommandError('sequenceError', 'no service in progress');
          // Home keeps the identity; selecting the service again starts its flow from the beginning.
          session.send({ type: 'HOME' });
          session.send({ type: 'SELECT_SERVICE', service });
        }
        rt.audit(s, `staff.assist.${p.action}`, { sessionId: v.sessionId, screen: v.screen, step: v.step });
        // Not session.view() here: reading the view before the session broadcasts it marks the
        // change as seen, and the UI would never get it. The UI follows the broadcast.
        return rt.ok();
      },
    }),
  ];
}
