/**
 * Whole citizen journeys through the agent's WebSocket API (what the UI sends), with the
 * simulators placing cards and the sandbox settling payments: 不动产, 个税, 社保, 燃气 and 电子证照. No
 * browser. Waits on the session's state only. Used by the PII sweep and the soak.
 */
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { SessionView } from '@kiosk/contracts/session-view';
import type { ProductionKiosk } from './production-kiosk.js';
import { TestSocket, type Msg } from './ws.js';

export type Journey =
  | { service: 'property' | 'tax'; profile: string }
  | { service: 'social'; profile: string; kind: 'resident' | 'flexible' }
  | { service: 'gas'; accountNo?: string; amountFen?: number }
  /** 电子证照打印: consent, purpose, the first licence of `type`, print; then a 不满意 rating with a reason. */
  | { service: 'licence'; profile: string; type: 'householdRegister' | 'realEstate' | 'marriage' | 'businessLicence' }
  /** 自助照相: needs the rig's camera simulator (startProductionKiosk({ photoCamera: true })). */
  | { service: 'photo'; use?: string; backdrop?: string };

/** One of each service with the synthetic people of the ID card simulator's profiles. */
export const everyService: readonly Journey[] = [
  { profile: 'xianan-resident', service: 'property' },
  { profile: 'chibi-resident', service: 'tax' },
  { profile: 'xianan-resident', service: 'social', kind: 'flexible' },
  { profile: 'chibi-resident', service: 'social', kind: 'resident' },
  { service: 'gas' },
  { profile: 'chibi-resident', service: 'licence', type: 'marriage' },
];

const atStep = (step: string) => (v: SessionView) => v.screen === 'service' && v.flow?.step === step;

export class JourneyClient {
  private nextId = 1;
  /** Only the newest view is kept (a soak runs thousands of sessions on one socket). */
  private view: SessionView | undefined;

  private constructor(
    readonly socket: TestSocket,
    private readonly k: ProductionKiosk,
  ) {}

  static async open(k: ProductionKiosk): Promise<JourneyClient> {
    return new JourneyClient(await TestSocket.open(k.agent.url, k.agent.token), k);
  }

  close(): void {
    this.socket.close();
  }

  private absorb(m: Msg): void {
    const isView = m.header.name === 'Session.StateChangedEvent' || (m.header.type === 'completion' && 'screen' in m.payload);
    if (!isView) return;
    const v = m.payload as unknown as SessionView;
    if (!this.view || v.seq >= this.view.seq) this.view = v;
  }

  /** Takes the socket's recorded messages into the newest view and forgets them. */
  private drain(): void {
    for (const m of this.socket.messages.splice(0)) this.absorb(m);
  }

  async command(name: string, payload: unknown = {}): Promise<Msg> {
    const m = await this.socket.command(name, payload, this.nextId++, 30_000);
    this.drain();
    return m;
  }

  async ok(name: string, payload: unknown = {}): Promise<void> {
    const m = await this.command(name, payload);
    if (m.header.completionCode !== 'success')
      throw new Error(`${name} → ${m.header.completionCode}: ${m.header.errorDescription ?? ''}`);
  }

  /** Waits on the session's state; the deadline only turns a hang into a message. */
  async until(what: string, pred: (v: SessionView) => boolean, ms = 60_000): Promise<SessionView> {
    const end = Date.now() + ms;
    for (;;) {
      this.drain();
      if (this.view && pred(this.view)) return this.view;
      await this.ok('Session.GetState');
      if (this.view && pred(this.view)) return this.view;
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; at ${this.view?.screen}/${this.view?.flow?.step ?? this.view?.step}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async run(j: Journey): Promise<void> {
    if (j.service === 'gas') return this.gas(j);
    if (j.service === 'photo') return this.photo(j);
    await this.until('attract', (x) => x.screen === 'attract');
    await this.start(j.service);
    await this.until('card wait', (x) => x.screen === 'identity' && x.step === 'waitCard');
    await this.k.control('POST', '/idcard/card', { profile: j.profile });
    await this.until('card confirmed', (x) => x.screen === 'identity' && x.step === 'confirmed');
    await this.ok('Session.Continue');
    if (j.service === 'licence') return this.licence(j);
    if (j.service === 'tax') {
      await this.until('years', atStep('chooseYears'));
      await this.ok('Session.Continue');
    }
    if (j.service === 'social') {
      await this.until('kind', atStep('chooseKind'));
      await this.ok('Session.FlowEvent', { name: 'kind', data: { kind: j.kind } });
      const v = await this.until('years', atStep('years'));
      const years = (v.flow?.data as { years?: { year: number }[] }).years ?? [];
      if (years.length === 0) throw new Error(`no social-insurance years for ${j.profile}`);
      await this.ok('Session.FlowEvent', { name: 'year', data: { year: years[0]!.year } });
      await this.until('list', atStep('list'));
      await this.ok('Session.FlowEvent', { name: 'wholeYear', data: {} });
    } else {
      await this.until('list', atStep('list'));
      await this.ok('Session.Continue');
    }
    await this.until('confirm', atStep('confirm'));
    await this.ok('Session.Continue');
    await this.finish();
  }

  private async licence(j: Extract<Journey, { service: 'licence' }>): Promise<void> {
    await this.until('consent', atStep('consent'));
    await this.ok('Session.FlowEvent', { name: 'consent', data: { agree: true } });
    await this.until('purpose', atStep('purpose'));
    await this.ok('Session.FlowEvent', { name: 'purpose', data: { purpose: 'socialInsurance' } });
    const v = await this.until('list', atStep('list'));
    const licences = (v.flow?.data as { licences?: { licenceId: string; type: string }[] }).licences ?? [];
    const chosen = licences.find((l) => l.type === j.type);
    if (!chosen) throw new Error(`no ${j.type} licence for ${j.profile}`);
    await this.ok('Session.FlowEvent', { name: 'select', data: { licenceId: chosen.licenceId } });
    await this.until('preview', atStep('preview'));
    await this.ok('Session.Continue');
    await this.finish({ rating: 'dissatisfied', reasons: ['hardToUse'] });
  }

  private async gas(j: Extract<Journey, { service: 'gas' }>): Promise<void> {
    const amountFen = j.amountFen ?? 10_000;
    await this.until('attract', (x) => x.screen === 'attract');
    await this.start('gas');
    await this.until('gas start', atStep('start'));
    await this.ok('Session.FlowEvent', { name: 'lookup', data: { accountNo: j.accountNo ?? DEMO_GAS_ACCOUNTS.iot.accountNo } });
    await this.until('account', atStep('account'));
    await this.ok('Session.FlowEvent', { name: 'amount', data: { amountFen } });
    await this.ok('Session.Continue');
    await this.until('confirm', atStep('confirm'));
    await this.ok('Session.FlowEvent', { name: 'pay', data: { amountFen } });
    const paying = await this.until(
      'paying',
      (x) => atStep('paying')(x) && typeof (x.flow?.data as { orderNo?: unknown }).orderNo === 'string',
    );
    await settlePayment(this.k.sandbox.url, (paying.flow!.data as { orderNo: string }).orderNo, 'pay');
    await this.finish();
  }

  /** Use → consent → preview (scene person) → capture → review → pay → upload → done; returns via finish(). */
  private async photo(j: Extract<Journey, { service: 'photo' }>): Promise<void> {
    await this.until('attract', (x) => x.screen === 'attract');
    await this.k.control('POST', '/camera/scene', { scene: 'person' });
    await this.start('photo');
    await this.until('photo use', atStep('use'));
    await this.ok('Session.FlowEvent', { name: 'photo.use', data: { use: j.use ?? 'idcard', backdrop: j.backdrop ?? 'white' } });
    await this.until('consent', atStep('consent'));
    await this.ok('Session.Continue');
    await this.until(
      'preview',
      (x) => atStep('preview')(x) && typeof (x.flow?.data as { previewUrl?: unknown }).previewUrl === 'string',
    );
    await this.ok('Session.FlowEvent', { name: 'photo.capture', data: {} });
    await this.until('review', atStep('review'));
    await this.ok('Session.Continue');
    const paying = await this.until(
      'paying',
      (x) => atStep('paying')(x) && typeof (x.flow?.data as { orderNo?: unknown }).orderNo === 'string',
    );
    await settlePayment(this.k.sandbox.url, (paying.flow!.data as { orderNo: string }).orderNo, 'pay');
    await this.until('done or pending', (x) => atStep('done')(x) || atStep('pending')(x));
    await this.ok('Session.Continue');
    await this.finish();
  }

  /**
   * attract → home → the service's tile, once the tile is usable: as a citizen waits for a greyed
   * tile (a status poll that timed out on a loaded machine greys the printer's services briefly).
   */
  private async start(service: Journey['service']): Promise<void> {
    await this.ok('Session.Start');
    await this.until(`${service} available`, (x) => x.screen === 'home' && x.availability.services[service].available);
    await this.ok('Session.SelectService', { service });
  }

  /** result (print settled) → rating skipped (or given) → goodbye → card taken → attract. */
  private async finish(rate?: { rating: string; reasons?: string[] }): Promise<void> {
    const v = await this.until('result', (x) => x.screen === 'result');
    if (v.print) await this.until('print settled', (x) => x.print?.state !== 'printing');
    await this.ok('Session.Continue');
    await this.until('rating', (x) => x.screen === 'rating');
    if (rate) await this.ok('Session.Rate', rate);
    else await this.ok('Session.Continue');
    await this.until('goodbye', (x) => x.screen === 'goodbye');
    await this.k.control('DELETE', '/idcard/card').catch(() => undefined);
    await this.ok('Session.End');
    await this.until('attract', (x) => x.screen === 'attract' && x.sessionId === null);
  }
}
