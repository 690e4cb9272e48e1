/**
 * Issue 19 item 11: property details (address, mortgage) are shown only to the card's holder.
 * By default the property service needs a face check; declining it does not lead to the details;
 * in assisted mode the guide's in-person check stands in for it (audited), even without a camera.
 * Configurable: session.services.property.face and session.face.guideVerifies.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '@kiosk/kiosk-config';
import { computeAvailability } from '../../apps/agent/src/session/availability.js';
import { loadConfig, defaultConfigPath } from '@kiosk/kiosk-config';
import { SessionClient, startRig, type Rig } from '../session/rig.js';

describe('property face policy (config)', () => {
  it('the shipped config and the schema default both require a face check for property', () => {
    expect(loadConfig(defaultConfigPath).session.services.property.face).toBe('required');
    const parsed = configSchema.shape.session.parse({});
    expect(parsed.services.property.face).toBe('required');
    expect(parsed.face.guideVerifies).toBe(true);
  });

  it('without a camera property pauses, unless a guide assists (and guideVerifies is on)', () => {
    const config = configSchema.shape.session.parse({});
    const input = {
      modeMessage: null,
      devices: { idcard: { device: 'online' as const }, printer: { device: 'online' as const, paper: 'full' as const } },
      upstreams: {},
      config,
    };
    expect(computeAvailability({ ...input, mode: 'in-service' }).services.property).toEqual({
      available: false,
      reasons: ['cameraDown'],
    });
    expect(computeAvailability({ ...input, mode: 'assisted' }).services.property).toEqual({ available: true, reasons: [] });
    const strict = configSchema.shape.session.parse({ face: { guideVerifies: false } });
    expect(computeAvailability({ ...input, config: strict, mode: 'assisted' }).services.property.reasons).toEqual(['cameraDown']);
  });
});

describe('property face policy (session over real devices)', () => {
  let rig: Rig | undefined;
  let ui: SessionClient | undefined;
  afterEach(async () => {
    ui?.close();
    await rig?.stop();
    rig = undefined;
  });

  async function toConfirmedCard(): Promise<SessionClient> {
    const c = await SessionClient.open(rig!);
    await c.until((v) => v.availability.notices.length === 0, 10_000, 'devices online');
    await c.do('Session.Start');
    await c.do('Session.SelectService', { service: 'property' });
    await rig!.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await c.until((v) => v.step === 'confirmed', 10_000, 'card confirmed');
    return c;
  }

  it('someone else’s card: declining the face check never reaches the property details', async () => {
    rig = await startRig({ devices: ['idcard', 'printer', 'camera'] });
    ui = await toConfirmedCard();
    const face = await ui.do('Session.Continue');
    expect([face.screen, face.step]).toEqual(['face', 'consent']);
    const declined = await ui.do('Session.FaceConsent', { agree: false });
    expect(declined.step).toBe('declined');
    // Continue is refused: there is no card-only way on to the details.
    expect((await ui.command('Session.Continue')).header.completionCode).not.toBe('success');
    expect(ui.latest()?.screen).toBe('face');
  });

  it('with a guide assisting, the guide’s check stands in for the face check, and it is audited', async () => {
    rig = await startRig({ devices: ['idcard', 'printer'] });
    rig.agent.context.mode.set('assisted');
    ui = await toConfirmedCard();
    const next = await ui.do('Session.Continue');
    expect(next.screen).toBe('service');
    const audit = rig.agent.context.db.prepare("SELECT detail FROM audit_log WHERE action = 'face.byGuide'").all() as {
      detail: string;
    }[];
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ service: 'property' });
  });
});
