/**
 * The staff layer over every screen: the hidden corner gesture, the staff prompt (PIN keypad or
 * staff ID card), the mode menu, the "waiting for a safe point" notice, the assisted banner with
 * the guide's controls, and the maintenance panel. The agent owns all of it (Staff.* commands,
 * Staff.StateChangedEvent); this renders it. See docs/staff.md.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentClient, Completion } from '../api/client';
import type { SessionView } from '../api/session';
import { usePrefs } from '../i18n';
import { Field, NumericKeypad, SimpleKeyboard } from '../components/Keypad';
import { Icon } from '../components/Icon';
import { kioskTimeZone } from '../components/Clock';
import { yuanAmount } from '@kiosk/platform/money';
import {
  reloadEvent,
  staffStateEvent,
  type GasPendingRow,
  type StaffOverview,
  type StaffView,
} from '@kiosk/contracts/staff-view';
import { staffText, type StaffKey } from './messages';
import { StaffDialog, StaffHead, WideButton } from './StaffDialog';
import './staff.css';

type T = (key: StaffKey | string, params?: Record<string, string | number>) => string;

function useStaffT(): T {
  const { lang } = usePrefs();
  return (key, params) => staffText(lang, key, params);
}

function useStaffView(client: AgentClient): StaffView | null {
  const [view, setView] = useState<StaffView | null>(null);
  useEffect(() => {
    const refresh = (): void => {
      void client.command<StaffView>('Staff.GetState').then((c) => {
        if (c.completionCode === 'success') setView(c.payload);
      });
    };
    const offs = [
      client.on<StaffView>(staffStateEvent, setView),
      client.on(reloadEvent, () => window.location.reload()),
      client.onState((s) => s === 'open' && refresh()),
    ];
    if (client.state === 'open') refresh();
    return () => offs.forEach((off) => off());
  }, [client]);
  return view;
}

/** A long press in the configured corner opens the staff prompt. Invisible, no role: citizens never find it by tapping. */
function CornerGesture({ view, onOpen }: { view: StaffView; onOpen(): void }) {
  const timer = useRef<number | undefined>(undefined);
  const cancel = (): void => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
  };
  useEffect(() => cancel, []);
  return (
    <div
      class={`staff-corner staff-corner-${view.gesture.corner}`}
      data-testid="staff-corner"
      aria-hidden="true"
      onPointerDown={() => {
        cancel();
        timer.current = window.setTimeout(onOpen, view.gesture.longPressMs);
      }}
      onPointerUp={cancel}
      onPointerLeave={cancel}
      onPointerCancel={cancel}
      onContextMenu={(e) => e.preventDefault()}
    />
  );
}

function timeOf(iso: string, lang: string): string {
  return new Date(iso).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-CN', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: kioskTimeZone,
  });
}

function Prompt({ client, view, sessionActive }: { client: AgentClient; view: StaffView; sessionActive: boolean }) {
  const t = useStaffT();
  const { lang } = usePrefs();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The prompt closes by itself when nobody finishes it.
  useEffect(() => {
    const id = window.setTimeout(() => void client.command('Staff.ClosePrompt'), view.promptTimeoutMs);
    return () => window.clearTimeout(id);
  }, [pin]);
  const submit = async (): Promise<void> => {
    if (busy || pin.length < 4) return;
    setBusy(true);
    const c = await client.command<StaffView>('Staff.Login', { pin });
    setBusy(false);
    setPin('');
    if (c.completionCode !== 'success') {
      const v = c.payload;
      if (v?.lock) setError(t('prompt.locked', { time: timeOf(v.lock.until, lang) }));
      else if (v && typeof v.attemptsLeft === 'number') setError(t('prompt.wrong', { n: v.attemptsLeft }));
      else setError(t('error.generic', { reason: c.errorDescription ?? c.completionCode }));
    }
  };
  return (
    <StaffDialog titleId="staff-prompt-title" testid="staff-prompt">
      <StaffHead
        titleId="staff-prompt-title"
        title={t('prompt.title')}
        closeTestid="staff-prompt-close"
        closeLabel={t('prompt.close')}
        onClose={() => void client.command('Staff.ClosePrompt')}
      />
      {view.lock ? (
        <p class="staff-error" role="alert" data-testid="staff-locked">
          <Icon name="alert" size="1em" /> {t('prompt.locked', { time: timeOf(view.lock.until, lang) })}
        </p>
      ) : (
        <>
          <Field label={t('prompt.pin')} value={pin} testid="staff-pin" masked />
          {error && (
            <p class="staff-error" role="alert" data-testid="staff-error">
              <Icon name="alert" size="1em" /> {error}
            </p>
          )}
          <NumericKeypad value={pin} onChange={setPin} maxLength={12} />
          <WideButton
            primary
            testid="staff-pin-confirm"
            icon="check"
            disabled={busy || pin.length < 4}
            onClick={() => void submit()}
          >
            {t('prompt.confirm')}
          </WideButton>
          <p class="staff-hint" data-testid="staff-card-hint">
            <Icon name="card" size="1em" />{' '}
            {view.prompt.cardAccepted ? t('prompt.card') : sessionActive ? t('prompt.cardMidSession') : ''}
          </p>
        </>
      )}
    </StaffDialog>
  );
}

function Menu({ client, view }: { client: AgentClient; view: StaffView }) {
  const t = useStaffT();
  const [error, setError] = useState<string | null>(null);
  const enter = async (mode: 'assisted' | 'maintenance'): Promise<void> => {
    const c = await client.command('Staff.EnterMode', { mode });
    if (c.completionCode !== 'success' && c.completionCode !== 'canceled')
      setError(t('error.generic', { reason: c.errorDescription ?? c.completionCode }));
  };
  return (
    <StaffDialog titleId="staff-menu-title" testid="staff-menu">
      <h2 id="staff-menu-title">{t('menu.title', { staffNo: view.staff?.staffNo ?? '' })}</h2>
      {error && (
        <p class="staff-error" role="alert">
          {error}
        </p>
      )}
      <WideButton primary testid="staff-enter-assisted" icon="person" onClick={() => void enter('assisted')}>
        {t('menu.assisted')}
      </WideButton>
      <WideButton primary testid="staff-enter-maintenance" icon="printer" onClick={() => void enter('maintenance')}>
        {t('menu.maintenance')}
      </WideButton>
      <WideButton testid="staff-logout" icon="exit" onClick={() => void client.command('Staff.Exit')}>
        {t('menu.logout')}
      </WideButton>
    </StaffDialog>
  );
}

function Waiting({ client, view }: { client: AgentClient; view: StaffView }) {
  const t = useStaffT();
  const reason = view.waitingFor && ['payment', 'cardWrite', 'printing'].includes(view.waitingFor) ? view.waitingFor : 'other';
  return (
    <StaffDialog titleId="staff-wait-title" testid="staff-waiting">
      <h2 id="staff-wait-title">{t('wait.title')}</h2>
      <p role="status" data-testid="staff-waiting-reason">
        {t(`wait.reason.${reason}`)}
      </p>
      {view.vendorMode === 'enterPending' && (
        <WideButton testid="staff-wait-cancel" onClick={() => void client.command('Staff.CancelEnter')}>
          {t('wait.cancel')}
        </WideButton>
      )}
    </StaffDialog>
  );
}

/**
 * A button that acts only after being held for `holdMs`: the guide's controls sit on the citizen's
 * screen, and a citizen's tap must not trigger them (issue 19). A short tap does nothing.
 */
function HoldButton({
  holdMs,
  onHold,
  testid,
  hint,
  children,
}: {
  holdMs: number;
  onHold(): void;
  testid: string;
  hint: string;
  children: ComponentChildren;
}) {
  const timer = useRef<number | undefined>(undefined);
  const [holding, setHolding] = useState(false);
  const cancel = (): void => {
    window.clearTimeout(timer.current);
    timer.current = undefined;
    setHolding(false);
  };
  useEffect(() => cancel, []);
  return (
    <button
      type="button"
      class={`staff-hold${holding ? ' holding' : ''}`}
      data-testid={testid}
      aria-description={hint}
      title={hint}
      style={{ '--hold-ms': `${holdMs}ms` }}
      onPointerDown={() => {
        cancel();
        setHolding(true);
        timer.current = window.setTimeout(() => {
          cancel();
          onHold();
        }, holdMs);
      }}
      onPointerUp={cancel}
      onPointerLeave={cancel}
      onPointerCancel={cancel}
      onContextMenu={(e) => e.preventDefault()}
    >
      {children}
    </button>
  );
}

function AssistedBanner({ client, view, session }: { client: AgentClient; view: StaffView | null; session: SessionView | null }) {
  const t = useStaffT();
  const [tools, setTools] = useState(false);
  const [ending, setEnding] = useState(false);
  const active = view?.mode === 'assisted' && view.vendorMode === 'active';
  const inService = session?.screen === 'service' || session?.screen === 'identity' || session?.screen === 'face';
  const citizenActive = session?.sessionId != null;
  // The tools close by themselves, so they are not left open for the citizen.
  useEffect(() => {
    if (!tools) return;
    const id = window.setTimeout(() => {
      setTools(false);
      setEnding(false);
    }, 30_000);
    return () => window.clearTimeout(id);
  }, [tools, ending]);
  useEffect(() => {
    if (!active) {
      setTools(false);
      setEnding(false);
    }
  }, [active]);
  const act = (name: string, payload: Record<string, unknown>): void => {
    setTools(false);
    setEnding(false);
    void client.command(name, payload);
  };
  return (
    <section class="banner assisted staff-assisted" aria-label={t('assisted.banner')} data-testid="assisted-banner">
      <p class="staff-assisted-text" role="status">
        <Icon name="person" size="1em" /> {t('assisted.banner')}
        {view?.staff && <span data-testid="assisted-staff-no"> · {t('assisted.staff', { staffNo: view.staff.staffNo })}</span>}
      </p>
      {active && view && (
        <div class="staff-assisted-actions">
          <HoldButton
            holdMs={view.gesture.longPressMs}
            onHold={() => setTools(true)}
            testid="assist-tools"
            hint={t('assisted.toolsHint')}
          >
            <Icon name="person" size="1em" />
            {t('assisted.tools')}
          </HoldButton>
        </div>
      )}
      {active && view && tools && (
        <StaffDialog titleId="assist-tools-title" testid="assist-tools-dialog">
          <StaffHead
            titleId="assist-tools-title"
            title={ending ? t('assisted.endTitle') : t('assisted.toolsTitle', { staffNo: view.staff?.staffNo ?? '' })}
            closeTestid="assist-tools-close"
            closeLabel={t('assisted.close')}
            onClose={() => (setTools(false), setEnding(false))}
          />
          {!ending ? (
            <>
              <WideButton
                testid="assist-back"
                disabled={!session || session.busy !== null}
                onClick={() => act('Staff.Assist', { action: 'back' })}
              >
                {t('assisted.back')}
              </WideButton>
              {inService && session?.service && (
                <WideButton
                  testid="assist-restart"
                  disabled={session.busy !== null}
                  onClick={() => act('Staff.Assist', { action: 'restartService' })}
                >
                  {t('assisted.restart')}
                </WideButton>
              )}
              <WideButton
                testid="assist-end"
                icon="exit"
                iconSize="1em"
                onClick={() => (citizenActive ? setEnding(true) : act('Staff.Exit', {}))}
              >
                {t('assisted.end')}
              </WideButton>
            </>
          ) : (
            <div role="alertdialog" aria-label={t('assisted.endTitle')} data-testid="assist-end-confirm">
              <p>{t('assisted.endBody')}</p>
              <WideButton primary testid="assist-end-keep" onClick={() => act('Staff.Exit', { keepSession: true })}>
                {t('assisted.endKeep')}
              </WideButton>
              <WideButton testid="assist-end-wipe" onClick={() => act('Staff.Exit', {})}>
                {t('assisted.endWipe')}
              </WideButton>
              <WideButton testid="assist-end-cancel" onClick={() => setEnding(false)}>
                {t('confirm.no')}
              </WideButton>
            </div>
          )}
        </StaffDialog>
      )}
    </section>
  );
}

function Confirm({ text, onYes, onNo }: { text: string; onYes(): void; onNo(): void }) {
  const t = useStaffT();
  return (
    <div class="staff-confirm" role="alertdialog" aria-label={text} data-testid="staff-confirm">
      <p>{text}</p>
      <button type="button" class="primary" data-testid="staff-confirm-yes" onClick={onYes}>
        {t('confirm.yes')}
      </button>
      <button type="button" data-testid="staff-confirm-no" onClick={onNo}>
        {t('confirm.no')}
      </button>
    </div>
  );
}

function Panel({ client, view }: { client: AgentClient; view: StaffView }) {
  const t = useStaffT();
  const { lang } = usePrefs();
  const [ov, setOv] = useState<StaffOverview | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<number | null>(null);
  const [camUrl, setCamUrl] = useState<string | null>(null);
  const [gas, setGas] = useState<GasPendingRow[] | null>(null);
  const [gasNote, setGasNote] = useState('');
  const [message, setMessage] = useState('');
  const [typing, setTyping] = useState(false);

  const refresh = async (): Promise<void> => {
    const c = await client.command<StaffOverview>('Staff.Overview');
    if (c.completionCode === 'success') setOv(c.payload);
    const g = await client.command<{ orders: GasPendingRow[] }>('Staff.GasPending');
    setGas(g.completionCode === 'success' ? g.payload.orders : null);
  };
  useEffect(() => {
    void refresh();
    const offs = [client.on('Common.StatusChangedEvent', () => void refresh())];
    return () => offs.forEach((off) => off());
  }, [client]);

  const run = async <P,>(
    name: string,
    payload: Record<string, unknown>,
    done: (c: Completion<P>) => string | null,
  ): Promise<void> => {
    const c = await client.command<P>(name, payload);
    setNote(c.completionCode === 'success' ? done(c) : t('error.generic', { reason: c.errorDescription ?? c.completionCode }));
    await refresh();
  };
  const outcome = (c: Completion<{ outcome?: string }>): string => t('printer.done', { outcome: c.payload.outcome ?? 'ok' });

  const deviceName = (kind: string): string =>
    ['idcard', 'printer', 'camera', 'gascard', 'scanner'].includes(kind) ? t(`device.${kind}`) : kind;
  const printer = ov?.printer;

  return (
    <div
      class="staff-overlay staff-panel"
      role="dialog"
      aria-modal="true"
      aria-labelledby="staff-panel-title"
      data-testid="staff-panel"
    >
      <div class="staff-panel-body">
        <StaffHead
          titleId="staff-panel-title"
          title={
            <>
              {t('panel.title')} · {view.staff?.staffNo}
            </>
          }
          closeTestid="staff-panel-exit"
          closeLabel={t('panel.exit')}
          onClose={() => void client.command('Staff.Exit')}
        />
        {note && (
          <p class="staff-note" role="status" data-testid="staff-note">
            {note}
          </p>
        )}

        <section aria-labelledby="staff-devices">
          <h3 id="staff-devices">{t('panel.devices')}</h3>
          <ul class="staff-devices">
            {ov?.devices.map((d) => (
              <li key={d.kind} data-testid={`staff-device-${d.kind}`} data-advice={d.advice}>
                <strong>{deviceName(d.kind)}</strong>: {t(`state.${d.device}`)}
                {d.paper && ` · ${t(`paper.${d.paper}`)}`}
                <br />
                <span class={`staff-advice staff-advice-${d.advice}`}>
                  <Icon name={d.advice === 'ok' ? 'check' : 'alert'} size="1em" /> {t(`advice.${d.advice}`)}
                </span>
              </li>
            ))}
          </ul>
        </section>

        {printer !== undefined && printer !== null && (
          <section aria-labelledby="staff-printer">
            <h3 id="staff-printer">{t('printer.title')}</h3>
            <p data-testid="staff-printer-last">
              {printer.lastJob
                ? t('printer.lastJob', { kind: printer.lastJob.kind, state: printer.lastJob.state })
                : t('printer.noJob')}
            </p>
            <div class="staff-actions">
              <button
                type="button"
                data-testid="staff-printer-test"
                onClick={() => void run('Staff.PrinterTestPage', {}, outcome)}
              >
                <Icon name="printer" size="1.2em" />
                {t('printer.test')}
              </button>
              <button
                type="button"
                data-testid="staff-printer-paper"
                onClick={() =>
                  void run<{ advice: string }>('Staff.PrinterPaperReplaced', {}, (c) => t(`advice.${c.payload.advice}`))
                }
              >
                {t('printer.paperReplaced')}
              </button>
              {printer.lastFailedJob?.reprintable && (
                <button type="button" data-testid="staff-printer-reprint" onClick={() => setConfirm(printer.lastFailedJob!.id)}>
                  {t('printer.reprint', { id: printer.lastFailedJob.id })}
                </button>
              )}
            </div>
            {confirm !== null && (
              <Confirm
                text={t('printer.reprintConfirm', { id: confirm })}
                onYes={() => {
                  const id = confirm;
                  setConfirm(null);
                  void run('Staff.PrinterReprint', { jobId: id }, outcome);
                }}
                onNo={() => setConfirm(null)}
              />
            )}
            {printer.previewUrl && printer.lastJob && (
              <iframe
                class="staff-receipt"
                title={t('printer.preview')}
                src={`${printer.previewUrl}?job=${printer.lastJob.id}`}
                data-testid="staff-receipt-preview"
              />
            )}
          </section>
        )}

        <section aria-labelledby="staff-idcard">
          <h3 id="staff-idcard">{t('idcard.title')}</h3>
          <div class="staff-actions">
            <button
              type="button"
              data-testid="staff-idcard-sam"
              onClick={() =>
                void run<{ samId: string }>('Staff.IdCardSamId', {}, (c) => t('idcard.samValue', { id: c.payload.samId }))
              }
            >
              {t('idcard.sam')}
            </button>
            <button
              type="button"
              data-testid="staff-idcard-test"
              onClick={() => {
                setNote(t('idcard.testWait'));
                void run<{ name: string; idNumber: string }>('Staff.IdCardTestRead', {}, (c) =>
                  t('idcard.testResult', { name: c.payload.name, id: c.payload.idNumber }),
                );
              }}
            >
              <Icon name="card" size="1.2em" />
              {t('idcard.test')}
            </button>
          </div>
        </section>

        <section aria-labelledby="staff-camera">
          <h3 id="staff-camera">{t('camera.title')}</h3>
          <button
            type="button"
            data-testid="staff-camera-toggle"
            onClick={async () => {
              const c = await client.command<{ url: string | null }>('Staff.CameraPreview', { on: camUrl === null });
              setCamUrl(c.completionCode === 'success' ? c.payload.url : null);
              if (c.completionCode !== 'success') setNote(t('error.generic', { reason: c.errorDescription ?? c.completionCode }));
            }}
          >
            <Icon name="camera" size="1.2em" />
            {camUrl ? t('camera.off') : t('camera.on')}
          </button>
          {camUrl && <img class="staff-camera" src={camUrl} alt={t('camera.alt')} data-testid="staff-camera-img" />}
        </section>

        <section aria-labelledby="staff-gas">
          <h3 id="staff-gas">{t('gas.title')}</h3>
          {gas === null ? (
            <p>{t('gas.unavailable')}</p>
          ) : gas.length === 0 ? (
            <p>{t('gas.none')}</p>
          ) : (
            <>
              <label class="staff-label">
                {t('gas.note')}
                <input
                  class="staff-input"
                  value={gasNote}
                  maxLength={200}
                  onInput={(e) => setGasNote((e.target as HTMLInputElement).value)}
                />
              </label>
              <ul class="staff-gas">
                {gas.map((o) => (
                  <li key={o.orderNo} data-testid="staff-gas-order">
                    {t('gas.row', { orderNo: o.orderNo, account: o.account, amount: yuanAmount(o.amountFen), state: o.state })}
                    {o.manual && <p>{t('gas.marked', { staffNo: o.manual.staffNo, note: o.manual.note })}</p>}
                    <div class="staff-actions">
                      <button
                        type="button"
                        onClick={() =>
                          void run('Staff.GasRetry', { orderNo: o.orderNo }, () => t('printer.done', { outcome: 'retry' }))
                        }
                      >
                        {t('gas.retry')}
                      </button>
                      <button
                        type="button"
                        disabled={gasNote.trim().length < 2}
                        onClick={() =>
                          void run('Staff.GasMarkManual', { orderNo: o.orderNo, note: gasNote }, () =>
                            t('printer.done', { outcome: 'manual' }),
                          )
                        }
                      >
                        {t('gas.manual')}
                      </button>
                    </div>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>

        <section aria-labelledby="staff-net">
          <h3 id="staff-net">{t('net.title')}</h3>
          {ov && !ov.network.available ? (
            <p>{t('net.unavailable')}</p>
          ) : (
            ov && (
              <p data-testid="staff-net">
                {ov.network.ok === null ? t('net.unknown') : ov.network.ok ? t('net.ok') : t('net.fail')}
                {ov.network.lastAt && ` · ${t('net.last', { time: timeOf(ov.network.lastAt, lang) })}`}
                {ov.network.outboxDepth !== null && ` · ${t('net.outbox', { n: ov.network.outboxDepth })}`}
              </p>
            )
          )}
        </section>

        <section aria-labelledby="staff-kiosk">
          <h3 id="staff-kiosk">{t('kiosk.title')}</h3>
          <p data-testid="staff-after-exit">{view.afterExit.inService ? t('kiosk.afterExitIn') : t('kiosk.afterExitOut')}</p>
          {view.afterExit.inService && (
            <>
              <label class="staff-label">
                {t('kiosk.message')}
                <input
                  class="staff-input"
                  data-testid="staff-oos-message"
                  value={message}
                  maxLength={200}
                  onFocus={() => setTyping(true)}
                  onInput={(e) => setMessage((e.target as HTMLInputElement).value)}
                />
              </label>
              {/* Common messages in one tap (the on-screen keyboard has no Chinese input). */}
              <div class="staff-actions">
                {(['kiosk.preset.maintenance', 'kiosk.preset.counter'] as const).map((k, i) => (
                  <button type="button" key={k} data-testid={`staff-oos-preset-${i}`} onClick={() => setMessage(t(k))}>
                    {t(k)}
                  </button>
                ))}
              </div>
              {/* A kiosk has no hardware keyboard: the guide types on screen (issue 19). */}
              <button type="button" data-testid="staff-oos-keyboard" aria-expanded={typing} onClick={() => setTyping(!typing)}>
                {typing ? t('kiosk.messageDone') : t('kiosk.messageEdit')}
              </button>
              {typing && <SimpleKeyboard value={message} onChange={setMessage} maxLength={200} />}
            </>
          )}
          <div class="staff-actions">
            <button
              type="button"
              data-testid="staff-service-toggle"
              onClick={() =>
                void run(
                  'Staff.SetService',
                  view.afterExit.inService
                    ? { inService: false, ...(message.trim() ? { message: message.trim() } : {}) }
                    : { inService: true },
                  () => null,
                )
              }
            >
              {view.afterExit.inService ? t('kiosk.outOfService') : t('kiosk.inService')}
            </button>
            <button type="button" data-testid="staff-restart-ui" onClick={() => void client.command('Staff.RestartUi')}>
              {t('kiosk.restartUi')}
            </button>
          </div>
          {ov && (
            <p data-testid="staff-versions">
              {t('kiosk.versions', { agent: ov.versions.agent, node: ov.versions.node, hash: ov.configHash })}
            </p>
          )}
        </section>
      </div>
    </div>
  );
}

export function StaffLayer({ client, session }: { client: AgentClient; session: SessionView | null }) {
  const view = useStaffView(client);
  const showBanner =
    session?.assisted || (view?.mode === 'assisted' && (view.vendorMode === 'active' || view.vendorMode === 'exitPending'));
  return (
    <>
      {showBanner && <AssistedBanner client={client} view={view} session={session} />}
      {view && !view.staff && !view.prompt.open && (
        <CornerGesture view={view} onOpen={() => void client.command('Staff.OpenPrompt')} />
      )}
      {view && !view.staff && view.prompt.open && (
        <Prompt client={client} view={view} sessionActive={session?.sessionId != null} />
      )}
      {view?.staff && view.vendorMode === 'inactive' && <Menu client={client} view={view} />}
      {view?.staff &&
        (view.vendorMode === 'enterPending' || (view.vendorMode === 'exitPending' && view.mode === 'maintenance')) && (
          <Waiting client={client} view={view} />
        )}
      {view?.staff && view.mode === 'maintenance' && view.vendorMode === 'active' && <Panel client={client} view={view} />}
    </>
  );
}
