import type { ScreenProps } from '../screens/types';

/** Taps on service-flow screens are `Session.*` commands; these build the handlers. */
export type Send = ScreenProps['send'];

export const cont = (send: Send) => () => send('Session.Continue');
export const back = (send: Send) => () => send('Session.Back');
export const event =
  (send: Send, name: string, data: Record<string, unknown> = {}) =>
  () =>
    send('Session.FlowEvent', { name, data });
