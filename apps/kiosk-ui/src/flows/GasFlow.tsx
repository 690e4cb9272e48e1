import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { yuan } from '@kiosk/platform/money';
import type { ServiceId } from '@kiosk/contracts/session-view';
import type {
  GasAccountData,
  GasAccountStepData,
  GasConfirmData,
  GasCreditingData,
  GasErrorData,
  GasFinishingData,
  GasPayingData,
  GasPrintingData,
  GasRemoveCardData,
  GasStartData,
  GasText,
} from '@kiosk/contracts/gas-views';
import { useT, usePrefs, type T } from '../i18n';
import { Icon } from '../components/Icon';
import { Field, NumericKeypad, SimpleKeyboard } from '../components/Keypad';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from '../screens/types';
import { back, cont, event, type Send } from './actions';
import { FlowErrorScreen, FlowHomeAction, PrevAction, WorkingScreen } from './FlowScreens';
import { stepData } from './step-data';
import './gas.css';

/**
 * Screens of the natural-gas top-up flow (apps/agent/src/flows/gas.ts). The agent's flow view
 * decides the step; typed digits stay here (local input state) until sent as a FlowEvent.
 * Money is always shown as ¥X.XX; numbers and names are masked by the agent.
 */

function useText(): (m: GasText | null | undefined) => string {
  const { lang } = usePrefs();
  return (m) => (m ? (lang === 'en' ? m.en : m.zh) : '');
}

function Notice({ text, testid, tone }: { text: string; testid: string; tone?: 'bad' }) {
  if (!text) return null;
  return (
    <p class={`notice gas-notice${tone === 'bad' ? ' bad' : ''}`} data-testid={testid} role="status">
      <Icon name="alert" size="1em" /> {text}
    </p>
  );
}

/** Home from any gas step that is not a money step (the agent refuses HOME while busy). */
function HomeAction({ send }: { send: Send }) {
  return <FlowHomeAction send={send} testid="gas-home" />;
}

// ---------------------------------------------------------------------------------------- start

/** A gas card was in the reader before the citizen asked for one: it is not read, it must come out. */
function RemoveCard({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<GasRemoveCardData>(view);
  return (
    <Screen
      name="service"
      step="removeCard"
      icon="alert"
      tone="bad"
      title={t('gas.removeCard.title')}
      actions={<HomeAction send={send} />}
    >
      <div class="gas-card-anim" aria-hidden="true">
        <Icon name="card" size="4em" />
      </div>
      <p class="gas-big" data-testid="gas-remove-card" data-reason={d.reason}>
        {t('gas.removeCard.body')}
      </p>
      <p>{t('gas.removeCard.own')}</p>
      <Progress text={t('gas.removeCard.waiting')} testid="gas-remove-wait" />
    </Screen>
  );
}

function Start({ view, send }: ScreenProps) {
  const t = useT();
  const text = useText();
  const d = stepData<GasStartData>(view);
  const [digits, setDigits] = useState('');
  const ok = /^\d{6,20}$/.test(digits);
  return (
    <Screen
      name="service"
      step="start"
      icon="gas"
      title={t('gas.start.title')}
      actions={
        <>
          <Action
            testid="gas-lookup"
            primary
            onClick={() => ok && send('Session.FlowEvent', { name: 'lookup', data: { accountNo: digits } })}
          >
            {t('gas.start.lookup')}
          </Action>
          <Action testid="gas-back" icon="home" onClick={back(send)}>
            {t('common.back')}
          </Action>
        </>
      }
    >
      <Notice text={text(d.notice)} testid="gas-notice" tone="bad" />
      <div class="gas-ways">
        <div class="gas-way">
          <Field label={t('gas.start.account')} value={digits} testid="gas-account-field" />
          {!ok && digits.length > 0 && <p class="gas-hint">{t('gas.start.accountHint')}</p>}
          <NumericKeypad value={digits} onChange={setDigits} maxLength={20} />
        </div>
        <div class="gas-way gas-side">
          <button type="button" class="gas-choice" data-testid="gas-use-card" onClick={event(send, 'card')}>
            <Icon name="card" size="1.4em" />
            <span>
              <strong>{t('gas.start.card')}</strong>
              <span class="gas-sub">{t('gas.start.cardHint')}</span>
            </span>
          </button>
          <button type="button" class="gas-choice" data-testid="gas-pending" onClick={event(send, 'pending')}>
            <Icon name="printer" size="1.4em" />
            <span>
              <strong>{t('gas.start.pending')}</strong>
              <span class="gas-sub">{t('gas.start.pendingHint')}</span>
            </span>
          </button>
        </div>
      </div>
    </Screen>
  );
}

function Working({ view, text, testid, hint }: { view: ScreenProps['view']; text: string; testid: string; hint?: string }) {
  const t = useT();
  return (
    <WorkingScreen step={view.flow?.step ?? null} icon="gas" title={t('service.gas')} text={text} testid={testid}>
      {hint && (
        <p class="gas-big" data-testid={`${testid}-hint`}>
          {hint}
        </p>
      )}
    </WorkingScreen>
  );
}

function LookingUp(props: ScreenProps) {
  const t = useT();
  return <Working view={props.view} text={t('gas.lookingUp')} testid="gas-looking-up" />;
}

function WaitCard({ view, send }: ScreenProps) {
  const t = useT();
  return (
    <Screen
      name="service"
      step="waitCard"
      icon="card"
      title={t('gas.waitCard.title')}
      actions={
        <>
          <PrevAction send={send} testid="gas-back" />
          <HomeAction send={send} />
        </>
      }
    >
      <div class="gas-card-anim" aria-hidden="true">
        <Icon name="card" size="4em" />
      </div>
      <p class="gas-big">{t('gas.waitCard.body')}</p>
      {view.flow && <Progress text={t('gas.waitCard.waiting')} testid="gas-wait-card" />}
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- account

function meterText(t: T, m: GasAccountData['meterType']): string {
  return t(m === 'iot' ? 'gas.meter.iot' : 'gas.meter.ic');
}

function AccountDetails({ a }: { a: GasAccountData }) {
  const t = useT();
  return (
    <dl class="fields gas-fields" data-testid="gas-account">
      <dt>{t('gas.account.number')}</dt>
      <dd data-testid="gas-account-no">{a.accountNoMasked}</dd>
      <dt>{t('gas.account.holder')}</dt>
      <dd data-testid="gas-holder">{a.holderNameMasked}</dd>
      <dt>{t('gas.account.address')}</dt>
      <dd>{a.address}</dd>
      <dt>{t('gas.account.meter')}</dt>
      <dd data-testid="gas-meter">{meterText(t, a.meterType)}</dd>
      {a.balanceFen !== null && (
        <>
          <dt>{t('gas.account.balance')}</dt>
          <dd data-testid="gas-balance">{yuan(a.balanceFen)}</dd>
        </>
      )}
      {a.lastPurchase && (
        <>
          <dt>{t('gas.account.lastPurchase')}</dt>
          <dd data-testid="gas-last-purchase">
            {t('gas.account.lastPurchaseValue', {
              amount: yuan(a.lastPurchase.amountFen),
              volume: a.lastPurchase.volumeM3.toFixed(2),
              date: a.lastPurchase.purchasedAt.slice(0, 10),
            })}
          </dd>
        </>
      )}
      {a.card && (
        <>
          <dt>{t('gas.account.card')}</dt>
          <dd data-testid="gas-card">{t('gas.account.cardValue', { card: a.card.cardNoMasked, count: a.card.purchaseCount })}</dd>
        </>
      )}
      <dt>{t('gas.account.arrears')}</dt>
      <dd data-testid="gas-arrears">{a.arrearsFen > 0 ? yuan(a.arrearsFen) : t('gas.account.noArrears')}</dd>
    </dl>
  );
}

function Account({ view, send }: ScreenProps) {
  const t = useT();
  const text = useText();
  const d = stepData<GasAccountStepData>(view);
  const a = d.account;
  const [custom, setCustom] = useState(false);
  const [digits, setDigits] = useState('');
  // Every time the keypad opens it starts empty: digits of an earlier (refused) try never carry over.
  const openKeypad = (open: boolean) => {
    setDigits('');
    setCustom(open);
  };
  const r = a.amounts;
  const pick = (fen: number) => () => {
    setCustom(false);
    send('Session.FlowEvent', { name: 'amount', data: { amountFen: fen } });
  };
  const customFen = digits ? Number(digits) * 100 : 0;
  // The agent accepted the typed amount: back to the summary with "Next".
  useEffect(() => {
    if (custom && d.amountFen === customFen && d.amountError === null) setCustom(false);
  }, [d.amountFen, d.amountError]);
  const chosen = d.amountFen !== null && d.amountError === null;
  const pending = a.card?.pendingOrders.length ?? 0;
  return (
    <Screen
      name="service"
      step="account"
      icon="gas"
      title={t('gas.account.title')}
      actions={
        custom ? (
          <>
            <Action
              testid="gas-custom-ok"
              primary
              onClick={() => customFen > 0 && send('Session.FlowEvent', { name: 'amount', data: { amountFen: customFen } })}
            >
              {t('gas.amount.customOk')}
            </Action>
            <Action testid="gas-custom-cancel" onClick={() => openKeypad(false)}>
              {t('gas.amount.presets')}
            </Action>
          </>
        ) : (
          <>
            {a.canTopUp && chosen && (
              <Action testid="gas-next" primary onClick={cont(send)}>
                {t('gas.account.next', { amount: yuan(d.amountFen!) })}
              </Action>
            )}
            {pending > 0 && (
              <Action testid="gas-finish-card" primary onClick={event(send, 'finishPending')}>
                {t('gas.start.pending')}
              </Action>
            )}
            <PrevAction send={send} testid="gas-back" />
            <HomeAction send={send} />
          </>
        )
      }
    >
      <Notice text={text(d.notice)} testid="gas-notice" />
      {/* While typing an amount the details give way to the keypad (one line keeps the account in view). */}
      {custom ? (
        <p data-testid="gas-account-line">
          {a.accountNoMasked} · {a.holderNameMasked}
        </p>
      ) : (
        <AccountDetails a={a} />
      )}
      {!a.canTopUp && <Notice text={text(a.reason?.citizen)} testid="gas-cannot" tone="bad" />}
      {a.canTopUp && (
        <div class="gas-amount-area">
          <div class="gas-amount-choice">
            <p class="gas-label">{t('gas.amount.choose', { min: yuan(r.minFen), max: yuan(r.maxFen) })}</p>
            <div
              class="gas-presets"
              role="group"
              aria-label={t('gas.amount.choose', { min: yuan(r.minFen), max: yuan(r.maxFen) })}
            >
              {r.presetsFen.map((fen) => {
                const on = !custom && d.amountFen === fen;
                return (
                  <button
                    type="button"
                    key={fen}
                    class={on ? 'primary' : ''}
                    aria-pressed={on}
                    data-testid={`gas-amount-${fen}`}
                    onClick={pick(fen)}
                  >
                    {yuan(fen)}
                  </button>
                );
              })}
              <button
                type="button"
                class={custom ? 'primary' : ''}
                aria-pressed={custom}
                data-testid="gas-amount-custom"
                onClick={() => openKeypad(!custom)}
              >
                {t('gas.amount.custom')}
              </button>
            </div>
            {d.amountError && (
              <Notice
                text={t(`gas.amount.error.${d.amountError}`, { min: yuan(r.minFen), max: yuan(r.maxFen) })}
                testid="gas-amount-error"
                tone="bad"
              />
            )}
          </div>
          {custom && (
            <div class="gas-custom">
              <Field label={t('gas.amount.customLabel')} value={digits} testid="gas-custom-field" />
              <NumericKeypad value={digits} onChange={(v) => setDigits(v.replace(/^0+/, ''))} maxLength={5} />
            </div>
          )}
        </div>
      )}
    </Screen>
  );
}

function Confirm({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<GasConfirmData>(view);
  return (
    <Screen
      name="service"
      step="confirm"
      icon="gas"
      title={t('gas.confirm.title')}
      actions={
        <>
          <Action testid="gas-pay" primary onClick={event(send, 'pay', { amountFen: d.amountFen })}>
            {t('gas.confirm.pay', { amount: yuan(d.amountFen) })}
          </Action>
          <Action testid="gas-back" onClick={back(send)}>
            {t('gas.confirm.change')}
          </Action>
          <HomeAction send={send} />
        </>
      }
    >
      <p class="gas-amount" data-testid="gas-confirm-amount">
        {yuan(d.amountFen)}
      </p>
      <p>{t('gas.confirm.volume', { volume: d.volumeM3.toFixed(2) })}</p>
      <dl class="fields gas-fields">
        <dt>{t('gas.account.number')}</dt>
        <dd>{d.account.accountNoMasked}</dd>
        <dt>{t('gas.account.holder')}</dt>
        <dd>{d.account.holderNameMasked}</dd>
        <dt>{t('gas.account.meter')}</dt>
        <dd>{meterText(t, d.account.meterType)}</dd>
        <dt>{t('gas.pay.merchant')}</dt>
        <dd>{d.account.company}</dd>
      </dl>
      {d.account.meterType === 'ic-card' && <p class="gas-big">{t('gas.confirm.keepCard')}</p>}
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- payment

function useSecondsLeft(deadline: string | null, fallback: number): number {
  const calc = () => (deadline ? Math.max(0, Math.ceil((Date.parse(deadline) - Date.now()) / 1000)) : fallback);
  const [left, setLeft] = useState(calc);
  useEffect(() => {
    setLeft(calc());
    const id = setInterval(() => setLeft(calc()), 1000);
    return () => clearInterval(id);
  }, [deadline, fallback]);
  return left;
}

function Paying({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<GasPayingData>(view);
  const left = useSecondsLeft(d.deadline, d.secondsLeft);
  const mm = Math.floor(left / 60);
  const ss = String(left % 60).padStart(2, '0');
  return (
    <Screen
      name="service"
      step="paying"
      icon="gas"
      title={t('gas.pay.title')}
      actions={
        !d.cancelling && (
          <Action testid="gas-cancel" onClick={event(send, 'cancel')}>
            {t('gas.pay.cancel')}
          </Action>
        )
      }
    >
      <div class="gas-pay">
        <div
          class="gas-qr"
          data-testid="gas-qr"
          data-order={d.orderNo}
          data-url={d.codeUrl}
          role="img"
          aria-label={t('gas.pay.qrLabel')}
          // The SVG comes from the agent's QR encoder (qrcode), not from any user input.
          dangerouslySetInnerHTML={{ __html: d.qrSvg }}
        />
        <div class="gas-pay-info">
          <p class="gas-amount" data-testid="gas-pay-amount">
            {yuan(d.amountFen)}
          </p>
          <p class="gas-big">{t('gas.pay.scan')}</p>
          <dl class="fields gas-fields">
            <dt>{t('gas.pay.merchant')}</dt>
            <dd data-testid="gas-merchant">{d.merchant}</dd>
            <dt>{t('gas.account.number')}</dt>
            <dd>{d.accountNoMasked}</dd>
            <dt>{t('gas.pay.order')}</dt>
            <dd data-testid="gas-order-no">{d.orderNo}</dd>
          </dl>
          <p class="gas-countdown" data-testid="gas-pay-countdown" aria-live="off">
            {d.cancelling ? t('gas.pay.cancelling') : t('gas.pay.left', { time: `${mm}:${ss}` })}
          </p>
        </div>
      </div>
    </Screen>
  );
}

function Crediting({ view }: ScreenProps) {
  const t = useT();
  const d = stepData<GasCreditingData>(view);
  return (
    <Screen name="service" step="crediting" icon="gas" title={t('gas.crediting.title')}>
      <p class="gas-amount">{yuan(d.amountFen)}</p>
      <Progress
        text={t(d.writingCard ? 'gas.crediting.writing' : d.meterType === 'iot' ? 'gas.crediting.iot' : 'gas.crediting.ic')}
        testid="gas-crediting"
      />
      {d.meterType === 'ic-card' && (
        <p class="gas-big gas-warn" data-testid="gas-keep-card">
          <Icon name="alert" size="1em" /> {t('gas.crediting.keepCard')}
        </p>
      )}
    </Screen>
  );
}

function Printing({ view }: ScreenProps) {
  const t = useT();
  const text = useText();
  const d = stepData<GasPrintingData>(view);
  const ic = d.meterType === 'ic-card' && d.kind === 'receipt';
  return (
    <Screen
      name="service"
      step="printing"
      icon={d.kind === 'receipt' ? 'check' : 'alert'}
      title={t(d.kind === 'receipt' ? 'gas.printing.credited' : 'gas.printing.pending')}
    >
      {ic && (
        <p class="gas-big gas-take" data-testid="gas-take-card">
          <Icon name="card" size="1em" /> {t('gas.takeCard')}
        </p>
      )}
      <p data-testid="gas-outcome">{text(d.message)}</p>
      <Progress text={t(d.kind === 'receipt' ? 'gas.printing.receipt' : 'gas.printing.slip')} testid="gas-printing" />
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- 补写卡

function PendingEntry({ view, send }: ScreenProps) {
  const t = useT();
  const text = useText();
  const d = stepData<Pick<GasStartData, 'notice'>>(view);
  const [value, setValue] = useState('');
  const ok = value.trim().length >= 8;
  return (
    <Screen
      name="service"
      step="pendingEntry"
      icon="printer"
      title={t('gas.pending.title')}
      actions={
        <>
          <Action
            testid="gas-pending-ok"
            primary
            onClick={() => ok && send('Session.FlowEvent', { name: 'finishPending', data: { orderNo: value.trim() } })}
          >
            {t('gas.pending.ok')}
          </Action>
          <PrevAction send={send} testid="gas-back" />
          <HomeAction send={send} />
        </>
      }
    >
      <Notice text={text(d.notice)} testid="gas-notice" tone="bad" />
      {/* Card way and typing way: one above the other in portrait, side by side in landscape. */}
      <div class="gas-pending">
        <div class="gas-pending-card">
          {/* The card first: a few taps instead of typing a 22-character order number (issue 19). */}
          <button
            type="button"
            class="gas-choice"
            data-testid="gas-pending-card"
            onClick={() => {
              send('Session.Back');
              send('Session.FlowEvent', { name: 'card', data: {} });
            }}
          >
            <Icon name="card" size="1.4em" />
            <span>
              <strong>{t('gas.pending.card')}</strong>
              <span class="gas-sub">{t('gas.pending.cardHint')}</span>
            </span>
          </button>
          <p data-testid="gas-pending-hint">{t('gas.pending.hint')}</p>
        </div>
        <div class="gas-pending-type">
          <Field label={t('gas.pending.orderNo')} value={value} testid="gas-order-field" />
          <SimpleKeyboard value={value} onChange={(v) => setValue(v.toUpperCase())} maxLength={40} />
        </div>
      </div>
    </Screen>
  );
}

function Finishing({ view }: ScreenProps) {
  const t = useT();
  const d = stepData<GasFinishingData>(view);
  return (
    <Screen name="service" step="finishing" icon="card" title={t('gas.pending.title')}>
      <p data-testid="gas-finishing-order">
        {t('gas.pay.order')}：{d.orderNo}
      </p>
      <p class="gas-big">{t('gas.finishing.card')}</p>
      <Progress text={t('gas.finishing.working')} testid="gas-finishing" />
    </Screen>
  );
}

function ErrorStep({ view, send }: ScreenProps) {
  const t = useT();
  const text = useText();
  const d = stepData<GasErrorData>(view);
  return (
    <FlowErrorScreen
      send={send}
      prefix="gas"
      title={t('gas.error.title')}
      message={text(d.message)}
      hint={t('gas.error.hint', { hotline: view.contact.hotline })}
      retry={d.retry}
    />
  );
}

const steps: Record<string, FunctionComponent<ScreenProps>> = {
  removeCard: RemoveCard,
  start: Start,
  lookingUp: LookingUp,
  waitCard: WaitCard,
  account: Account,
  confirm: Confirm,
  creating: (p) => <Working view={p.view} text={useT()('gas.creating')} testid="gas-creating" />,
  paying: Paying,
  crediting: Crediting,
  printing: Printing,
  pendingEntry: PendingEntry,
  finishing: Finishing,
  error: ErrorStep,
};

function GasScreen(props: ScreenProps) {
  const step = props.view.flow?.step ?? 'start';
  const C = steps[step] ?? LookingUp;
  return <C {...props} />;
}

/** Registered in screens/Service.tsx. */
export const gasFlowScreens: Partial<Record<ServiceId, FunctionComponent<ScreenProps>>> = { gas: GasScreen };
