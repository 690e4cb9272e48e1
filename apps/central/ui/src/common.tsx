import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type FleetState, type KioskSummary, type User } from './api.js';
import { reasonLabel, serviceLabel, stateLabel } from './labels.js';

export interface Session {
  user: User;
  /** Called when the API says the session is gone. */
  expired(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}

/** Loads now and every `everyMs`; a 401 sends the user back to the login form. */
export function usePoll<T>(
  load: () => Promise<T>,
  everyMs: number,
  key: string,
): { data: T | undefined; error: string | null; reload(): void } {
  const session = useSession();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    setData(undefined);
  }, [key]);

  useEffect(() => {
    let alive = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async (): Promise<void> => {
      try {
        const v = await loadRef.current();
        if (!alive) return;
        setData(v);
        setError(null);
      } catch (err) {
        if (!alive) return;
        if (err instanceof ApiError && err.status === 401) {
          session.expired();
          return;
        }
        setError(err instanceof Error ? err.message : String(err));
      }
      if (alive) timer = setTimeout(() => void run(), everyMs);
    };
    void run();
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [key, everyMs, tick]);

  return { data, error, reload };
}

export function StateBadge({ state }: { state: FleetState }) {
  return (
    <span class={`badge state-${state}`} data-state={state}>
      <span class="dot" aria-hidden="true" />
      {stateLabel[state]}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: 'warning' | 'error' }) {
  return <span class={`badge sev-${severity}`}>{severity === 'error' ? '故障 Error' : '告警 Warning'}</span>;
}

/** A modal confirmation; the action runs only after the user confirms. */
export function ConfirmDialog(props: {
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('input, textarea, button.primary')?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') props.onCancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onCancel()}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={ref}>
        <h2 id="modal-title">{props.title}</h2>
        <div class="modal-body">{props.children}</div>
        <div class="modal-actions">
          <button type="button" class="secondary" onClick={props.onCancel}>
            取消 Cancel
          </button>
          <button
            type="button"
            class={props.danger ? 'primary danger' : 'primary'}
            disabled={props.busy}
            onClick={props.onConfirm}
          >
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/** A list's heading with the switch that adds finished items (closed alerts, handled follow-ups). */
export function ListToolbar(props: { level: 1 | 2; title: string; all: boolean; onAll(all: boolean): void; allLabel: string }) {
  const Heading = props.level === 1 ? 'h1' : 'h2';
  return (
    <div class="toolbar">
      <Heading>{props.title}</Heading>
      <label class="inline">
        <input type="checkbox" checked={props.all} onChange={(e) => props.onAll((e.target as HTMLInputElement).checked)} />{' '}
        {props.allLabel}
      </label>
    </div>
  );
}

/** A list table's header row; an empty name leaves a column (of buttons) unlabelled. */
export function ColumnHeads({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th scope="col" key={i}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/**
 * "In service" says little when most services are greyed out: the mode cell adds which citizen
 * services are paused and why (issue 19).
 */
export function PausedServices({ services }: { services: KioskSummary['services'] }) {
  if (!services || services.paused.length === 0) return null;
  return (
    <div class="degraded" data-testid="degraded">
      部分业务暂停 Degraded {services.paused.length}/{services.total}
      <ul class="paused-services">
        {services.paused.map((p) => (
          <li key={p.id}>
            {serviceLabel[p.id] ?? p.id}
            {p.reasons.length ? `：${p.reasons.map((r) => reasonLabel[r] ?? r).join('、')}` : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}
