import type { SessionView } from '../api/session';

export interface ScreenProps {
  view: SessionView;
  send(name: string, payload?: Record<string, unknown>): void;
}
