import type { FunctionComponent } from 'preact';
import type { ServiceId } from '@kiosk/contracts/session-view';
import type {
  ConfirmData,
  ErrorData,
  NoRecordsData,
  PropertyListData,
  PropertyStatusView,
  SocialKindId,
  SocialListData,
  SocialYearsData,
  TaxListData,
  TaxYearsData,
} from '@kiosk/contracts/record-views';
import { useT, usePrefs, type T } from '../i18n';
import { upstreamText } from '../i18n/upstream';
import { Action, Screen } from '../components/Screen';
import { Paged } from '../components/Paged';
import { tileText } from '../screens/Home';
import type { ScreenProps } from '../screens/types';
import { back, cont, event, type Send } from './actions';
import { FlowErrorScreen, PrevAction, ServicePlaceholder, WorkingScreen } from './FlowScreens';
import { Choice, Fields, Holder, PaymentTitle, PickItem, RecordList } from './RecordParts';
import { stepData } from './step-data';
import './flows.css';

/**
 * Screens of the property, tax and social-insurance flows. The agent's flow view
 * (`view.flow = {step, data}`, packages/contracts/src/record-views.ts) decides what shows; every tap is
 * a `Session.*` command. Data on these screens is masked or non-personal.
 */

function HomeButton({ send, label }: { send: Send; label?: string }) {
  const t = useT();
  return (
    <Action testid="rf-back" icon="home" onClick={back(send)}>
      {label ?? t('common.back')}
    </Action>
  );
}

function PrevButton({ send }: { send: Send }) {
  return <PrevAction send={send} testid="rf-back" />;
}

// ---------------------------------------------------------------------------------------- shared

function Loading({ view, send }: ScreenProps) {
  const t = useT();
  const id = view.service?.id ?? 'property';
  // A query may take many seconds (upstream timeouts): the citizen can always stop waiting.
  const cancel =
    view.flow?.step === 'loading' ? (
      <Action testid="rf-cancel" icon="exit" onClick={() => send('Session.Back')}>
        {t('flows.cancelQuery')}
      </Action>
    ) : undefined;
  return (
    <WorkingScreen
      step={view.flow?.step ?? 'loading'}
      icon={id}
      title={t(tileText[id].title)}
      actions={cancel}
      text={t(view.flow?.step === 'registering' ? 'flows.registering' : 'flows.loading')}
      testid="rf-loading"
    />
  );
}

function NoRecords({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<NoRecordsData>(view);
  const range = d.fromYear !== null && d.toYear !== null ? t('flows.years.range', { from: d.fromYear, to: d.toYear }) : '';
  return (
    <Screen
      name="service"
      step="noRecords"
      icon={d.service}
      title={t(`flows.noRecords.title.${d.service}`)}
      actions={
        <>
          <Action testid="rf-done" primary onClick={cont(send)}>
            {t('flows.noRecords.done')}
          </Action>
          {d.service === 'property' ? <HomeButton send={send} /> : <PrevButton send={send} />}
        </>
      }
    >
      <div class="rf-empty" data-testid="no-records">
        {d.kind && <p>{t(`flows.social.kind.${d.kind}`)}</p>}
        {range && <p>{t('flows.noRecords.searched', { range })}</p>}
        <p class="notice">{t('flows.noRecords.nothingPrinted')}</p>
        <p>{t(`flows.noRecords.hint.${d.service}`)}</p>
      </div>
    </Screen>
  );
}

function ErrorStep({ view, send }: ScreenProps) {
  const t = useT();
  const { lang } = usePrefs();
  const d = stepData<ErrorData>(view);
  return (
    <FlowErrorScreen
      send={send}
      prefix="rf"
      title={t('flows.error.title')}
      message={lang === 'en' ? d.message.en : d.message.zh}
      hint={t('flows.error.hint', { hotline: view.contact.hotline })}
      retry={d.retryable}
    />
  );
}

function Confirm({ view, send }: ScreenProps) {
  const t = useT();
  const { lang } = usePrefs();
  const d = stepData<ConfirmData>(view);
  return (
    <Screen
      name="service"
      step="confirm"
      icon="printer"
      title={t('flows.confirm.title')}
      actions={
        <>
          <Action testid="rf-confirm-print" primary icon="printer" onClick={cont(send)}>
            {t('flows.confirm.print')}
          </Action>
          <PrevButton send={send} />
        </>
      }
    >
      <p class="rf-slip-title" data-testid="rf-slip-title">
        {lang === 'en' ? d.subtitle : d.title}
      </p>
      <Holder holder={d.holder} />
      <p>{t('flows.confirm.count', { n: d.count })}</p>
      <Paged
        tag="ul"
        items={d.lines}
        keyOf={(l) => l}
        render={(l) => upstreamText(l, lang)}
        listClass="rf-lines"
        testid="rf-lines"
        label={t('flows.list.label')}
      />
      {d.summarised && (
        <p class="notice" data-testid="rf-summarised">
          {t('flows.confirm.summarised')}
        </p>
      )}
      <p>{t('flows.confirm.hint')}</p>
    </Screen>
  );
}

/** Print the records shown, then the step's way back (home from a flow's first list, else the previous step). */
function PrintActions({ send, count, way }: { send: Send; count: number; way: 'home' | 'prev' }) {
  const t = useT();
  return (
    <>
      <Action testid="rf-print" primary icon="printer" onClick={cont(send)}>
        {t('flows.print', { n: count })}
      </Action>
      {way === 'home' ? <HomeButton send={send} /> : <PrevButton send={send} />}
    </>
  );
}

// ---------------------------------------------------------------------------------------- property

function statusText(s: PropertyStatusView, t: T): string {
  switch (s.type) {
    case 'mortgage':
      return t('flows.property.status.mortgage', { mortgagee: s.mortgagee, amount: s.amount });
    case 'seizure':
      return t('flows.property.status.seizure', { authority: s.authority });
    case 'objection':
      return t('flows.property.status.objection', { note: s.note });
    case 'advance_notice':
      return t('flows.property.status.advance_notice', { note: s.note });
    case 'none':
      return t('flows.property.status.none');
  }
}

function PropertyList({ view, send }: ScreenProps) {
  const t = useT();
  const { lang } = usePrefs();
  const d = stepData<PropertyListData>(view);
  return (
    <Screen
      name="service"
      step="list"
      icon="property"
      title={t('flows.property.title')}
      actions={<PrintActions send={send} count={d.properties.length} way="home" />}
    >
      <Holder holder={d.holder} />
      <p>{t('flows.property.count', { n: d.properties.length, registry: d.registry })}</p>
      <RecordList
        items={d.properties}
        keyOf={(p) => p.certificateNo}
        render={(p, m) => (
          <div class="rf-item" {...(m ? {} : { 'data-testid': 'property-item', 'data-cert': p.certificateNo })}>
            <p class="rf-item-title">{p.location}</p>
            <Fields
              rows={[
                [t('flows.property.certificateNo'), p.certificateNo],
                [t('flows.property.unitNumber'), p.unitNumber],
                [t('flows.property.area'), `${p.areaM2} ㎡`],
                [t('flows.property.usage'), p.usage],
                [t('flows.property.rightType'), p.rightType],
                [t('flows.property.registeredOn'), p.registeredOn],
              ]}
            />
            <ul class="rf-statuses">
              {p.statuses.map((s, i) => (
                <li key={i} class={`rf-status rf-status-${s.type}`} {...(m ? {} : { 'data-testid': `status-${s.type}` })}>
                  <strong>{upstreamText(s.label, lang)}</strong> {upstreamText(statusText(s, t), lang)}
                </li>
              ))}
            </ul>
          </div>
        )}
      />
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- tax

function TaxYears({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<TaxYearsData>(view);
  const years = [...d.years].sort((a, b) => a - b);
  const pick = (name: 'from' | 'to', y: number) => {
    const from = name === 'from' ? y : Math.min(d.fromYear, y);
    const to = name === 'to' ? y : Math.max(d.toYear, y);
    return event(send, 'years', { fromYear: from, toYear: to });
  };
  return (
    <Screen
      name="service"
      step="chooseYears"
      icon="tax"
      title={t('flows.tax.chooseYears')}
      actions={
        <>
          <Action testid="tax-query" primary onClick={cont(send)}>
            {t('flows.tax.query', { range: t('flows.years.range', { from: d.fromYear, to: d.toYear }) })}
          </Action>
          <HomeButton send={send} />
        </>
      }
    >
      <p>{t('flows.tax.chooseYears.hint')}</p>
      {(['from', 'to'] as const).map((which) => (
        <div class="rf-years" role="group" aria-label={t(`flows.tax.${which}`)} key={which}>
          <span class="rf-years-label">{t(`flows.tax.${which}`)}</span>
          {years.map((y) => {
            const on = which === 'from' ? d.fromYear === y : d.toYear === y;
            return (
              <button
                type="button"
                key={y}
                class={on ? 'primary' : ''}
                aria-pressed={on}
                data-testid={`tax-${which}-${y}`}
                onClick={pick(which, y)}
              >
                {y}
              </button>
            );
          })}
        </div>
      ))}
    </Screen>
  );
}

function TaxList({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<TaxListData>(view);
  const chosen = new Set(d.selected);
  const choose = (voucherNos: string[]) => send('Session.FlowEvent', { name: 'select', data: { voucherNos } });
  const toggle = (v: string) => () => choose(chosen.has(v) ? d.selected.filter((x) => x !== v) : [...d.selected, v]);
  return (
    <Screen
      name="service"
      step="list"
      icon="tax"
      title={t('flows.tax.title')}
      actions={<PrintActions send={send} count={d.selected.length} way="prev" />}
    >
      <Holder holder={d.holder} />
      <p data-testid="tax-summary">
        {t('flows.tax.summary', { range: t('flows.years.range', { from: d.fromYear, to: d.toYear }), n: d.records.length })}{' '}
        <strong data-testid="tax-total">{d.total}</strong>
      </p>
      {/* Which records go on the slip (all by default); long choices print per-year totals. */}
      <div class="rf-select" role="group" aria-label={t('flows.tax.choose')}>
        <span data-testid="tax-chosen">{t('flows.tax.chosen', { n: d.selected.length, total: d.records.length })}</span>
        <button type="button" data-testid="tax-select-all" onClick={() => choose(d.records.map((r) => r.voucherNo))}>
          {t('flows.tax.selectAll')}
        </button>
        <button type="button" data-testid="tax-select-none" onClick={() => choose([])}>
          {t('flows.tax.selectNone')}
        </button>
      </div>
      <RecordList
        items={d.records}
        keyOf={(r) => r.voucherNo}
        render={(r, m) => (
          <PickItem
            measure={m}
            pressed={chosen.has(r.voucherNo)}
            testAttrs={{ 'data-testid': 'tax-record', 'data-voucher': r.voucherNo }}
            onClick={toggle(r.voucherNo)}
          >
            <PaymentTitle
              mark={
                <>
                  <span class="rf-check" aria-hidden="true">
                    {chosen.has(r.voucherNo) ? '☑' : '☐'}
                  </span>{' '}
                </>
              }
              what={[r.taxType, r.taxItem]}
              amount={r.amount}
            />
            <Fields
              rows={[
                [t('flows.tax.period'), r.period],
                [t('flows.tax.authority'), r.taxAuthority],
                [t('flows.tax.paidOn'), r.paidOn],
                [t('flows.tax.voucherNo'), r.voucherNo],
                [t('flows.tax.verificationCode'), r.verificationCode],
              ]}
            />
          </PickItem>
        )}
      />
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- social

function SocialKind({ send }: ScreenProps) {
  const t = useT();
  const kinds: SocialKindId[] = ['resident', 'flexible'];
  return (
    <Screen
      name="service"
      step="chooseKind"
      icon="social"
      title={t('flows.social.chooseKind')}
      actions={<HomeButton send={send} />}
    >
      <div class="rf-choices">
        {kinds.map((k) => (
          <Choice
            key={k}
            testid={`social-kind-${k}`}
            onClick={event(send, 'kind', { kind: k })}
            title={t(`flows.social.kind.${k}`)}
            desc={t(`flows.social.kind.${k}.desc`)}
          />
        ))}
      </div>
    </Screen>
  );
}

function SocialYears({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<SocialYearsData>(view);
  return (
    <Screen
      name="service"
      step="years"
      icon="social"
      title={t(`flows.social.kind.${d.kind}`)}
      actions={<PrevButton send={send} />}
    >
      <Holder holder={d.holder} />
      <p>{t('flows.social.chooseYear')}</p>
      <div class="rf-choices">
        {d.years.map((y) => (
          <Choice
            key={y.year}
            testid={`social-year-${y.year}`}
            onClick={event(send, 'year', { year: y.year })}
            title={t('flows.social.year', { year: y.year })}
            desc={t('flows.social.yearSummary', { n: y.count, total: y.total })}
          />
        ))}
      </div>
    </Screen>
  );
}

function SocialList({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<SocialListData>(view);
  return (
    <Screen
      name="service"
      step="list"
      icon="social"
      title={`${t(`flows.social.kind.${d.kind}`)} · ${t('flows.social.year', { year: d.year })}`}
      actions={
        <>
          <Action testid="social-whole-year" primary icon="printer" onClick={event(send, 'wholeYear')}>
            {t('flows.social.wholeYear', { n: d.records.length })}
          </Action>
          <PrevButton send={send} />
        </>
      }
    >
      <p>{t('flows.social.chooseSlip')}</p>
      <RecordList
        items={d.records}
        keyOf={(r) => r.voucherNo}
        render={(r, m) => (
          <PickItem
            measure={m}
            testAttrs={{ 'data-testid': 'social-record', 'data-voucher': r.voucherNo }}
            onClick={event(send, 'select', { voucherNo: r.voucherNo })}
          >
            <PaymentTitle what={[r.insuranceType, r.period]} amount={r.amount} />
            <Fields
              rows={[
                [t('flows.social.base'), r.base],
                [t('flows.social.grade'), r.grade],
                [t('flows.social.paidOn'), r.paidOn],
                [t('flows.social.voucherNo'), r.voucherNo],
              ]}
            />
          </PickItem>
        )}
      />
    </Screen>
  );
}

// ---------------------------------------------------------------------------------------- dispatch

const shared: Record<string, FunctionComponent<ScreenProps>> = {
  loading: Loading,
  registering: Loading,
  noRecords: NoRecords,
  error: ErrorStep,
  confirm: Confirm,
};

const own: Record<'property' | 'tax' | 'social', Record<string, FunctionComponent<ScreenProps>>> = {
  property: { list: PropertyList },
  tax: { chooseYears: TaxYears, list: TaxList },
  social: { chooseKind: SocialKind, years: SocialYears, list: SocialList },
};

/** A step these screens do not know (another flow registered for the service, e.g. a test's). */
function OtherStep(props: ScreenProps) {
  return <ServicePlaceholder {...props} step={props.view.flow?.step ?? null} />;
}

function screenFor(service: 'property' | 'tax' | 'social'): FunctionComponent<ScreenProps> {
  return (props) => {
    const step = props.view.flow?.step ?? 'loading';
    const C = own[service][step] ?? shared[step] ?? OtherStep;
    return <C {...props} />;
  };
}

/** Loading, registering and error screens for other flows built on these pieces (LicenceFlow.tsx). */
export const sharedRecordSteps = { loading: Loading, registering: Loading, error: ErrorStep };

/** Registered in screens/Service.tsx. */
export const recordFlowScreens: Partial<Record<ServiceId, FunctionComponent<ScreenProps>>> = {
  property: screenFor('property'),
  tax: screenFor('tax'),
  social: screenFor('social'),
};
