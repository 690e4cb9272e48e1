/** Property records: loading → list → confirm → registering → (session prints). */
import type { PropertyQueryResponse } from '@kiosk/contracts/upstream';
import type { FlowFactory } from '../../session/flow.js';
import { holderOf, propertySlipRecord, propertyView, SLIP_TITLES, statusLine } from '../present.js';
import {
  flowView,
  fullIdNumber,
  LEAVE,
  notesFor,
  recordFlowMachine,
  type RecordContext,
  type RecordFlowKit,
  type RecordServices,
} from '../record-steps.js';
import type { PropertyListData } from '@kiosk/contracts/record-views';

interface Ctx extends RecordContext {
  list: PropertyListData | null;
}

export function propertyFlow(services: RecordServices, kit: RecordFlowKit): FlowFactory {
  return (deps) =>
    recordFlowMachine<Ctx, void, PropertyQueryResponse>(kit, {
      id: 'propertyFlow',
      service: 'property',
      initial: 'loading',
      context: () => ({ list: null }),
      query: {
        run: (_, signal) => services.property.queryProperties(fullIdNumber(deps), { signal }),
        input: () => undefined,
        isEmpty: (r) => r.properties.length === 0,
        found: {
          target: 'list',
          update: (c, r) => {
            const holder = holderOf(r.holder, c.identity);
            return { holder, list: { registry: r.registry, holder, properties: r.properties.map(propertyView) } };
          },
        },
        back: LEAVE,
      },
      noRecords: { data: () => ({ service: 'property', fromYear: null, toYear: null, kind: null }), back: LEAVE },
      confirm: (c) => {
        const props = c.list?.properties ?? [];
        return {
          draft: {
            ...kit.draftBase(c.holder, c.identity),
            kind: 'property',
            ...SLIP_TITLES.property,
            source: c.list?.registry ?? '',
            summary: [['不动产数量 Properties', String(props.length)]],
            records: props.map((p, i) => propertySlipRecord(p, i, props.length)),
            notes: notesFor('property'),
          },
          data: {
            service: 'property',
            ...SLIP_TITLES.property,
            holder: c.holder,
            count: props.length,
            lines: props.map((p) => `${p.location}（${p.statuses.map(statusLine).join('；')}）`),
          },
        };
      },
      states: (s) => ({
        list: s.createStateConfig({
          entry: s.assign({ view: ({ context }) => flowView('list', context.list ?? {}), draft: null }),
          on: { CONTINUE: 'confirm', BACK: s.leave },
        }),
      }),
    });
}
