import type { SnapshotFrom } from 'xstate';
import type { SessionMachine } from './machine.js';
import { stripRef } from './machine.js';
import type { CardKind, FlowView, Json, SessionView } from '@kiosk/contracts/session-view';

export type SessionSnapshot = SnapshotFrom<SessionMachine>;

/** The leaf name under a state value path (e.g. `{live: 'preview'}` → `preview`). */
function leaf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? [];
    if (k === undefined) return null;
    return typeof v === 'string' ? v : (leaf(v) ?? k);
  }
  return null;
}

function flowRegion(snapshot: SessionSnapshot): unknown {
  const v = snapshot.value as unknown;
  if (!v || typeof v !== 'object' || !('active' in v)) return null;
  return (v as { active: { flow?: unknown } }).active.flow ?? null;
}

/** Reads the running service flow's view from its snapshot (see flow.ts: context.view). */
function flowView(snapshot: SessionSnapshot): FlowView | null {
  const child = (snapshot.children as Record<string, { getSnapshot(): unknown } | undefined>)['flow'];
  if (!child) return null;
  const s = child.getSnapshot() as { context?: { view?: FlowView } } | undefined;
  const view = s?.context?.view;
  if (!view || typeof view.step !== 'string') return null;
  // A flow's data must be JSON; cloning through JSON makes sure nothing else leaks through.
  return { step: view.step, data: JSON.parse(JSON.stringify(view.data ?? {})) as { [key: string]: Json } };
}

/**
 * The UI's view of a session snapshot. Pure apart from `now`; contains masked data only (the
 * identity's vault reference is stripped).
 */
export function buildView(snapshot: SessionSnapshot, seq: number, now: number, cards: CardsInReaders = noCards): SessionView {
  const c = snapshot.context;
  const region = flowRegion(snapshot);
  let step: string | null = null;
  if (region && typeof region === 'object') {
    const r = region as Record<string, unknown>;
    if ('identity' in r) step = leaf(r['identity']);
    else if ('face' in r) step = leaf(r['face']);
  }
  const warning = snapshot.matches({ active: { timer: 'warning' } });
  const service = c.serviceId ? c.settings.services[c.serviceId] : null;
  const t = c.timer;
  return {
    sessionId: c.sessionId,
    seq,
    screen: c.screen,
    step,
    prefs: { ...c.prefs },
    service: service
      ? {
          id: service.id,
          identity: service.identity,
          face: service.face,
          printer: service.printer,
          ...(service.eidCode !== undefined ? { eidCode: service.eidCode } : {}),
        }
      : null,
    identity: c.identity ? stripRef(c.identity) : null,
    faceVerified: c.faceVerified,
    face:
      c.screen === 'face'
        ? { previewUrl: c.previewUrl, attemptsLeft: Math.max(0, c.settings.faceMaxAttempts - c.faceAttempts) }
        : null,
    flow: c.screen === 'service' ? flowView(snapshot) : null,
    result: c.result,
    print: c.print,
    rating: c.rating,
    countdown:
      t && c.sessionId
        ? {
            remainingMs: t.paused ? t.totalMs : Math.max(0, t.startedAt + t.totalMs - now),
            totalMs: t.totalMs,
            warningMs: t.warningMs,
            warning,
            paused: t.paused,
          }
        : null,
    busy: c.busy,
    availability: c.availability,
    assisted: c.assisted,
    contact: c.settings.contact,
    takeCards: cardsToTake(c.screen, c.serviceId, cards),
    eid:
      c.screen === 'identity'
        ? {
            offered: service?.eidCode === true && c.availability.eidCode === true,
            // Said only where the kiosk takes e-ID codes at all.
            cardOnly: service?.eidCode === false && c.availability.eidCode === true,
            refused: c.eidRefused,
          }
        : null,
  };
}

/** Which cards sit in the readers now, and which were left there when the last session ended. */
export interface CardsInReaders {
  present: ReadonlySet<CardKind>;
  leftBehind: ReadonlySet<CardKind>;
}

const noCards: CardsInReaders = { present: new Set(), leftBehind: new Set() };

/** The reminder rule (issue 19): see SessionView.takeCards. */
export function cardsToTake(screen: SessionView['screen'], serviceId: string | null, cards: CardsInReaders): CardKind[] {
  const order: CardKind[] = ['idcard', 'gascard'];
  if (screen === 'goodbye') return order.filter((k) => cards.present.has(k));
  if (screen === 'attract') return order.filter((k) => cards.leftBehind.has(k) && cards.present.has(k));
  if (serviceId === 'gas' && (screen === 'result' || screen === 'rating') && cards.present.has('gascard')) return ['gascard'];
  return [];
}
