/**
 * Issue 20 item 8: the staff prompt's wrong-PIN count survives an agent restart, so 4 wrong PINs,
 * a restart and 1 more lock the prompt exactly as 5 in a row do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Rig } from '../session/rig.js';
import { SessionClient } from '../session/rig.js';
import type { StaffView } from '@kiosk/contracts/staff-view';
import { demoPin, startStaffRig } from '../staff/helpers.js';

let rig: Rig | undefined;
let client: SessionClient | undefined;
afterEach(async () => {
  client?.close();
  await rig?.stop();
  rig = undefined;
  client = undefined;
});

async function open(dataDir?: string): Promise<SessionClient> {
  rig = await startStaffRig(dataDir ? { config: (cfg) => (cfg.dataDir = dataDir) } : {});
  client = await SessionClient.open(rig);
  await client.do('Staff.OpenPrompt');
  return client;
}

async function restart(): Promise<SessionClient> {
  const dataDir = rig!.config.dataDir;
  client!.close();
  client = undefined;
  await rig!.stop();
  rig = undefined;
  return open(dataDir);
}

const view = (m: { payload: Record<string, unknown> }): StaffView => m.payload as unknown as StaffView;

describe('staff PIN failures across an agent restart', () => {
  it('4 wrong PINs, a restart, and 1 more lock the prompt', async () => {
    let c = await open();
    for (const pin of ['111111', '222222', '333333', '444444']) {
      expect((await c.command('Staff.Login', { pin })).header.completionCode).toBe('authorisationRequired');
    }
    c = await restart();
    expect(view(await c.command('Staff.GetState')).attemptsLeft).toBe(1);
    const fifth = await c.command('Staff.Login', { pin: '555555' });
    expect(view(fifth).lock).not.toBeNull();
    expect(view(await c.command('Staff.Login', { pin: demoPin })).staff).toBeNull();
  }, 60_000);

  it('a right PIN before the restart resets the count', async () => {
    let c = await open();
    for (const pin of ['111111', '222222', '333333']) await c.command('Staff.Login', { pin });
    expect((await c.command('Staff.Login', { pin: demoPin })).header.completionCode).toBe('success');
    c = await restart();
    expect(view(await c.command('Staff.GetState')).attemptsLeft).toBe(5);
  }, 60_000);
});
