import { Fragment, type FunctionComponent } from 'preact';
import type { ServiceId } from '@kiosk/contracts/session-view';
import type {
  LicenceConsentData,
  LicenceListData,
  LicencePreviewData,
  LicencePurposeData,
  LicenceView,
} from '@kiosk/contracts/licence-views';
import { useT, type T } from '../i18n';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from '../screens/types';
import { back, cont, event } from './actions';
import { sharedRecordSteps } from './RecordFlows';
import { PrevAction } from './FlowScreens';
import { Choice, Holder, PickItem, RecordList } from './RecordParts';
import { stepData } from './step-data';
import './flows.css';

/**
 * 电子证照打印 screens (steps in device-agent/src/flows/licences.ts). Loading, registering and
 * errors are the record services' screens; everything shown is masked by the agent.
 */

const validTo = (v: string, t: T): string => (v === 'long-term' ? t('licence.validTo.longTerm') : v);

/** The licence's own data; with `all`, its key fields too (one list, so the columns line up). */
function LicenceFields({ l, all = false }: { l: LicenceView; all?: boolean }) {
  const t = useT();
  return (
    <dl class="fields rf-fields">
      <dt>{t('licence.field.number')}</dt>
      <dd data-testid="licence-number">{l.number}</dd>
      <dt>{t('licence.field.issuer')}</dt>
      <dd>{l.issuer}</dd>
      <dt>{t('licence.field.issuedOn')}</dt>
      <dd>{l.issuedOn}</dd>
      <dt>{t('licence.field.validTo')}</dt>
      <dd>{validTo(l.validTo, t)}</dd>
      {all &&
        l.fields.map((f) => (
          <Fragment key={f.label}>
            <dt>{f.label}</dt>
            <dd data-testid="licence-field">{f.value}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

function Consent({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<LicenceConsentData>(view);
  return (
    <Screen
      name="service"
      step="consent"
      icon="licence"
      title={t('licence.consent.title')}
      actions={
        <>
          <Action testid="licence-agree" primary icon="check" onClick={event(send, 'consent', { agree: true })}>
            {t('licence.consent.agree')}
          </Action>
          <Action testid="rf-back" icon="home" onClick={back(send)}>
            {t('licence.consent.decline')}
          </Action>
        </>
      }
    >
      <Holder holder={d.holder} />
      <p data-testid="licence-consent-text">{t('licence.consent.body', { library: d.library })}</p>
      <p>{t('licence.consent.types', { list: d.types.map((k) => t(`licence.type.${k}`)).join('、') })}</p>
    </Screen>
  );
}

function Purpose({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<LicencePurposeData>(view);
  return (
    <Screen
      name="service"
      step="purpose"
      icon="licence"
      title={t('licence.purpose.title')}
      actions={<PrevAction send={send} testid="rf-back" />}
    >
      <p>{t('licence.purpose.hint')}</p>
      <div class="rf-choices" role="group" aria-label={t('licence.purpose.title')}>
        {d.purposes.map((p) => (
          <Choice
            key={p}
            testid={`licence-purpose-${p}`}
            onClick={event(send, 'purpose', { purpose: p })}
            title={t(`licence.purpose.${p}`)}
          />
        ))}
      </div>
    </Screen>
  );
}

function List({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<LicenceListData>(view);
  return (
    <Screen
      name="service"
      step="list"
      icon="licence"
      title={t('licence.list.title')}
      actions={<PrevAction send={send} testid="rf-back" />}
    >
      <Holder holder={d.holder} />
      <p>{t('licence.list.count', { n: d.licences.length, purpose: t(`licence.purpose.${d.purpose}`) })}</p>
      <RecordList
        items={d.licences}
        keyOf={(l) => l.licenceId}
        label={t('licence.list.label')}
        render={(l, m) => (
          <PickItem
            measure={m}
            testAttrs={{ 'data-testid': 'licence-item', 'data-type': l.type, 'data-licence': l.licenceId }}
            onClick={event(send, 'select', { licenceId: l.licenceId })}
          >
            <span class="rf-item-title">{t(`licence.type.${l.type}`)}</span>
            <LicenceFields l={l} />
          </PickItem>
        )}
      />
    </Screen>
  );
}

function Preview({ view, send }: ScreenProps) {
  const t = useT();
  const d = stepData<LicencePreviewData>(view);
  const l = d.licence;
  return (
    <Screen
      name="service"
      step="preview"
      icon="printer"
      title={t('licence.preview.title')}
      actions={
        <>
          <Action testid="licence-print" primary icon="printer" onClick={cont(send)}>
            {t('licence.preview.print')}
          </Action>
          <PrevAction send={send} testid="rf-back" />
        </>
      }
    >
      <p class="rf-slip-title" data-testid="licence-preview-type">
        {t(`licence.type.${l.type}`)}
      </p>
      <div class="rf-item" data-testid="licence-preview">
        <LicenceFields l={l} all />
      </div>
      <p data-testid="licence-purpose">{t('licence.preview.purpose', { purpose: t(`licence.purpose.${d.purpose}`) })}</p>
      <p>{t('licence.preview.hint')}</p>
    </Screen>
  );
}

function NoLicences({ send }: ScreenProps) {
  const t = useT();
  return (
    <Screen
      name="service"
      step="noLicences"
      icon="licence"
      title={t('licence.none.title')}
      actions={
        <>
          <Action testid="rf-done" primary onClick={cont(send)}>
            {t('flows.noRecords.done')}
          </Action>
          <PrevAction send={send} testid="rf-back" />
        </>
      }
    >
      <p class="notice" data-testid="no-records">
        {t('licence.none.body')}
      </p>
    </Screen>
  );
}

const steps: Record<string, FunctionComponent<ScreenProps>> = {
  consent: Consent,
  purpose: Purpose,
  list: List,
  preview: Preview,
  noLicences: NoLicences,
  loading: sharedRecordSteps.loading,
  registering: sharedRecordSteps.registering,
  error: sharedRecordSteps.error,
};

function LicenceScreen(props: ScreenProps) {
  const C = steps[props.view.flow?.step ?? 'loading'] ?? sharedRecordSteps.loading;
  return <C {...props} />;
}

/** Registered in screens/Service.tsx. */
export const licenceFlowScreens: Partial<Record<ServiceId, FunctionComponent<ScreenProps>>> = { licence: LicenceScreen };
