/**
 * The e-ID code as the second identity source at the shared identity step (machine level, with
 * a real vault and redeem actor over a fake platform): whichever of card and code comes first
 * wins, refusals say why, card-only services say so, codes outside the identity step are never
 * redeemed, and the flows get the person as if a card had been read.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { loadConfig, defaultConfigPath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { silentLogger } from '@kiosk/platform';
import { computeAvailability } from '../../apps/agent/src/session/availability.js';
import { createEidRedeemActor, type EidRedeemer } from '../../apps/agent/src/session/eid.js';
import { placeholderFlow } from '../../apps/agent/src/session/flow.js';
import { baseDeps, createSessionMachine, sessionSettings } from '../../apps/agent/src/session/machine.js';
import { IdentityVault } from '../../apps/agent/src/session/vault.js';
import { buildView } from '../../apps/agent/src/session/view.js';
import type { MaskedIdentity } from '@kiosk/contracts/session-view';
import { UpstreamError } from '../../apps/agent/src/services/errors.js';
import type { EidIdentity } from '@kiosk/contracts/eid';

const CODE = 'EHBEID:1:0123456789ABCDEFGHIJ:0011223344556677';
const sun: EidIdentity = {
  name: '孙测试',
  idNumber: '421202198503120610',
  sex: 'male',
  birthDate: '1985-03-12',
  nationCode: '01',
  address: '湖北省咸宁市咸安区温泉街道测试路18号',
  issuer: '咸宁市公安局咸安分局',
  validFrom: '2016-05-20',
  validTo: '2036-05-20',
};
const li: MaskedIdentity = {
  name: '李*例',
  idNumber: '4212**********0522',
  cardType: 'resident',
  expired: false,
  validTo: '2041-08-01',
};

function setup(opts: { redeem?: EidRedeemer; session?: (s: KioskConfig['session']) => void; scanner?: boolean } = {}) {
  const config = structuredClone(loadConfig(defaultConfigPath).session);
  opts.session?.(config);
  const vault = new IdentityVault();
  const calls: string[] = [];
  const redeem: EidRedeemer =
    opts.redeem ??
    (async (code) => {
      calls.push(code);
      return sun;
    });
  const f = placeholderFlow({ identity: () => null });
  const machine = createSessionMachine(
    baseDeps(
      { property: f, gas: f, tax: f, social: f, photo: f },
      { eidRedeem: createEidRedeemActor(async (c, o) => redeem(c, o), vault, silentLogger()) },
    ),
  );
  const availability = computeAvailability({
    mode: 'in-service',
    modeMessage: null,
    devices: {
      idcard: { device: 'online' },
      printer: { device: 'online', paper: 'full' },
      ...(opts.scanner === false ? {} : { scanner: { device: 'online' } }),
    },
    upstreams: {},
    config,
  });
  const actor = createActor(machine, { input: { settings: sessionSettings(config), availability } });
  actor.start();
  actor.subscribe(() => vault.sync(actor.getSnapshot().context.identity?.ref ?? null));
  const scan = (text: string): void => actor.send({ type: 'EID.SCANNED', ref: vault.offerCode(text) });
  const view = () => buildView(actor.getSnapshot(), 0, Date.now());
  const step = async (want: string): Promise<void> => {
    await waitFor(actor, () => view().step === want, { timeout: 2000 });
  };
  return { actor, vault, calls, scan, view, step };
}

describe('e-ID code at the identity step', () => {
  it('offers both sources; a scanned code is redeemed and the person is the session identity, as from a card', async () => {
    const h = setup();
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    expect(h.view().step).toBe('waitCard');
    expect(h.view().eid).toEqual({ offered: true, cardOnly: false, refused: null });
    h.scan(CODE);
    await h.step('confirmed');
    expect(h.calls).toEqual([CODE]);
    expect(h.view().identity).toEqual({
      name: '孙*试',
      idNumber: '4212**********0610',
      cardType: 'resident',
      expired: false,
      validTo: '2036-05-20',
    });
    // The flows read the full person from the vault, exactly as after a card read.
    expect(h.vault.current()).toMatchObject({
      cardType: 'resident',
      name: '孙测试',
      idNumber: '421202198503120610',
      nation: '汉',
      warnings: [],
    });
    const json = JSON.stringify(h.actor.getSnapshot().context);
    expect(json).not.toContain('0123456789ABCDEFGHIJ');
    expect(json).not.toContain('421202198503120610');
    expect(JSON.stringify(h.view())).not.toContain('0123456789ABCDEFGHIJ');
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('service');
    expect(h.view().eid).toBeNull();
  });

  it('whichever comes first wins: a card being read ignores a scan; a code being redeemed ignores the card', async () => {
    const card = setup();
    card.actor.send({ type: 'START' });
    card.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    card.actor.send({ type: 'CARD.INSERTED' });
    card.scan(CODE);
    expect(card.view().step).toBe('reading');
    card.actor.send({ type: 'CARD.READ', identity: li, ref: card.vault.offer({} as never) });
    expect(card.view().step).toBe('confirmed');
    expect(card.view().identity?.name).toBe('李*例');
    expect(card.calls).toEqual([]);

    let release!: () => void;
    const slow = setup({
      redeem: () =>
        new Promise<EidIdentity>((resolve) => {
          release = () => resolve(sun);
        }),
    });
    slow.actor.send({ type: 'START' });
    slow.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    slow.scan(CODE);
    await slow.step('eidChecking');
    slow.actor.send({ type: 'CARD.INSERTED' });
    slow.actor.send({ type: 'CARD.READ', identity: li, ref: 'other' });
    expect(slow.view().step).toBe('eidChecking');
    release();
    await slow.step('confirmed');
    expect(slow.view().identity?.name).toBe('孙*试');
  });

  it('refusals say why (used, expired, forged, unavailable); a code that is no e-ID code is not sent; retry goes back to waiting', async () => {
    const refuse =
      (upstreamCode: string | undefined, code: 'REJECTED' | 'TIMEOUT' = 'REJECTED') =>
      async (): Promise<EidIdentity> => {
        throw new UpstreamError({
          upstream: 'eid',
          operation: 'eid.redeem',
          code,
          requestId: 'r',
          detail: 'x',
          ...(upstreamCode ? { upstreamCode } : {}),
        });
      };
    for (const [upstreamCode, code, reason] of [
      ['EID_CODE_USED', 'REJECTED', 'used'],
      ['EID_CODE_EXPIRED', 'REJECTED', 'expired'],
      ['EID_CODE_FORGED', 'REJECTED', 'forged'],
      [undefined, 'TIMEOUT', 'unavailable'],
    ] as const) {
      const h = setup({ redeem: refuse(upstreamCode, code) });
      h.actor.send({ type: 'START' });
      h.actor.send({ type: 'SELECT_SERVICE', service: 'social' });
      h.scan(CODE);
      await h.step('eidRefused');
      expect(h.view().eid?.refused, String(upstreamCode)).toBe(reason);
      expect(h.view().identity).toBeNull();
      h.actor.send({ type: 'RETRY' });
      expect(h.view().step).toBe('waitCard');
      expect(h.view().eid?.refused).toBeNull();
    }
    const h = setup();
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.scan('6901234567892');
    await h.step('eidRefused');
    expect(h.view().eid?.refused).toBe('notCode');
    expect(h.calls).toEqual([]);
    // A refused code does not block the card.
    h.actor.send({ type: 'CARD.READ', identity: li, ref: 'x' });
    expect(h.view().step).toBe('confirmed');
  });

  it('a service that requires the physical card says so, and the code is not used up', async () => {
    const h = setup({ session: (s) => (s.services.social.eidCode = false) });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'social' });
    expect(h.view().eid).toEqual({ offered: false, cardOnly: true, refused: null });
    h.scan(CODE);
    expect(h.view().step).toBe('eidCardOnly');
    expect(h.calls).toEqual([]);
    h.actor.send({ type: 'CARD.INSERTED' });
    expect(h.view().step).toBe('reading');
  });

  it('an identity from a code serves the next e-ID service without asking again, but a card-only service asks for the card', async () => {
    const h = setup({ session: (s) => (s.services.social.eidCode = false) });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.scan(CODE);
    await h.step('confirmed');
    h.actor.send({ type: 'CONTINUE' });
    h.actor.send({ type: 'BACK' });
    expect(h.view().screen).toBe('home');
    h.actor.send({ type: 'SELECT_SERVICE', service: 'social' });
    expect([h.view().screen, h.view().step]).toEqual(['identity', 'waitCard']);
    expect(h.view().eid).toEqual({ offered: false, cardOnly: true, refused: null });
    h.actor.send({ type: 'CARD.READ', identity: li, ref: 'card' });
    expect(h.view().step).toBe('confirmed');
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('service');
  });

  it('codes scanned outside the identity step are never redeemed; without a scanner nothing is offered', async () => {
    const h = setup();
    h.scan(CODE);
    expect(h.view().screen).toBe('attract');
    h.actor.send({ type: 'START' });
    h.scan(CODE);
    expect(h.view().screen).toBe('home');
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    h.scan(CODE);
    expect(h.calls).toEqual([]);

    const none = setup({ scanner: false });
    none.actor.send({ type: 'START' });
    none.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    expect(none.view().eid).toEqual({ offered: false, cardOnly: false, refused: null });
  });

  it('an identity whose number fails GB 11643 is refused like an unreadable card', async () => {
    const h = setup({ redeem: async () => ({ ...sun, idNumber: '421202198503120611' }) });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.scan(CODE);
    await h.step('eidRefused');
    expect(h.view().eid?.refused).toBe('forged');
    expect(h.vault.current()).toBeNull();
  });

  it('the wipe at session end forgets scanned codes', () => {
    const vault = new IdentityVault();
    const ref = vault.offerCode(CODE);
    vault.wipe();
    expect(vault.takeCode(ref)).toBeUndefined();
  });
});
