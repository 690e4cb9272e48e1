/**
 * Runs a record flow on its own (no session) against a real sandbox over HTTP, and prints what it
 * hands the session through the printer emulator + decoder, for 58 and 80 mm.
 */
import { createActor, waitFor, type Actor, type AnyStateMachine } from 'xstate';
import type { DecodedCard } from '@kiosk/protocol-sam';
import { getProfile } from '../../apps/agent/src/devices/printer/profiles/index.js';
import { createRecordFlows } from '../../apps/agent/src/flows/index.js';
import { renderReceipt } from '../../apps/agent/src/receipts/render.js';
import type { ReceiptDocument } from '../../apps/agent/src/receipts/document.js';
import { createServices, type Services } from '../../apps/agent/src/services/index.js';
import { maskIdentity } from '../../apps/agent/src/session/identity.js';
import type { FlowInboundEvent, FlowOutput } from '../../apps/agent/src/session/flow.js';
import type { FlowView, ServiceId } from '@kiosk/contracts/session-view';
import { findProfile } from '@kiosk/synthetic';
import { PrinterEmulator } from '../../apps/simulators/src/printer/emulator.js';
import { receiptView, type ReceiptView } from '../../apps/simulators/src/printer/simulator.js';

/** Inside the synthetic data's range (tests/sandbox/fixture.ts AS_OF = 2026-06-30). */
export const NOW = new Date('2026-06-30T04:00:00Z');
export const KIOSK = { id: 'TEST-KIOSK-01', site: '测试服务区', location: '咸宁市咸安区 市民之家一楼' };

export function card(profile: string): DecodedCard {
  const p = findProfile(profile);
  if (!p) throw new Error(`no card profile ${profile}`);
  return { ...p.card, warnings: [] } as DecodedCard;
}

export function testServices(url: string, retry = 1): Services {
  return createServices({ baseUrl: url, timeoutMs: 2000, kioskId: KIOSK.id, retry: { maxAttempts: retry, baseDelayMs: 10 } });
}

export interface FlowRun {
  actor: Actor<AnyStateMachine>;
  view(): FlowView;
  send(e: FlowInboundEvent): void;
  /** Waits for a step (fails on another settled step after `ms`). */
  step(step: string, ms?: number): Promise<FlowView>;
  done(): Promise<FlowOutput>;
}

export function runFlow(services: Services, service: ServiceId, profile: string | null): FlowRun {
  const c = profile ? card(profile) : null;
  const flows = createRecordFlows(services, { kiosk: KIOSK }, { now: () => NOW });
  const machine = flows[service]!({ identity: () => c });
  const actor = createActor(machine, {
    input: { serviceId: service, identity: c ? maskIdentity(c, false) : null, lang: 'zh-CN' },
  });
  actor.start();
  const view = (): FlowView => (actor.getSnapshot() as { context: { view: FlowView } }).context.view;
  return {
    actor,
    view,
    send: (e) => actor.send(e),
    async step(step, ms = 8000) {
      await waitFor(actor, () => view().step === step || actor.getSnapshot().status !== 'active', { timeout: ms });
      if (view().step !== step)
        throw new Error(`expected step ${step}, flow is at ${view().step} (${JSON.stringify(view().data).slice(0, 300)})`);
      return view();
    },
    async done() {
      const s = await waitFor(actor, (s) => s.status === 'done', { timeout: 8000 });
      return s.output as FlowOutput;
    },
  };
}

/** Renders a document for a profile and decodes it like the printer simulator does. */
export function printOn(
  doc: ReceiptDocument,
  profileName: 'generic-58mm' | 'generic-80mm',
): { view: ReceiptView; columns: number } {
  const profile = getProfile(profileName);
  const rendered = renderReceipt(doc, profile);
  const em = new PrinterEmulator(profile.dotsPerLine);
  em.receive(rendered.bytes);
  const views = em.receipts().map((r) => receiptView(r, profile.dotsPerLine, false));
  if (views.length !== 1) throw new Error(`expected one receipt, got ${views.length}`);
  return { view: views[0]!, columns: profile.dotsPerLine / 12 };
}

/** Text without any whitespace: wrapped values and right-aligned padding compare equal to the value. */
export const flat = (text: string): string => text.replace(/\s+/g, '');
