import type { FunctionComponent } from 'preact';
import type { ServiceId } from '@kiosk/contracts/session-view';
import { useT } from '../i18n';
import { Action, Screen } from '../components/Screen';
import { tileText } from './Home';
import type { ScreenProps } from './types';
import { recordFlowScreens } from '../flows/RecordFlows';
import { gasFlowScreens } from '../flows/GasFlow';
import { licenceFlowScreens } from '../flows/LicenceFlow';
import { photoFlowScreens } from '../flows/PhotoFlow';

/**
 * Service flows' own screens, by service. A flow's view (`view.flow`: step + masked data) comes
 * from the agent; the service issues register their screen component here.
 */
const flowScreens: Partial<Record<ServiceId, FunctionComponent<ScreenProps>>> = {
  ...recordFlowScreens,
  ...gasFlowScreens,
  ...licenceFlowScreens,
  ...photoFlowScreens,
};

export function Service(props: ScreenProps) {
  const id = props.view.service?.id;
  const Custom = id ? flowScreens[id] : undefined;
  if (Custom && props.view.flow?.step !== 'comingSoon') return <Custom {...props} />;
  return <ComingSoon {...props} />;
}

/** Labelled placeholder until the service's own flow lands. */
function ComingSoon({ view, send }: ScreenProps) {
  const t = useT();
  const id = view.service?.id ?? 'property';
  return (
    <Screen
      name="service"
      step="comingSoon"
      icon={id}
      title={t(tileText[id].title)}
      actions={
        <>
          <Action testid="continue" primary onClick={() => send('Session.Continue')}>
            {t('common.continue')}
          </Action>
          <Action testid="back-home" icon="home" onClick={() => send('Session.Back')}>
            {t('common.back')}
          </Action>
        </>
      }
    >
      <div data-testid="coming-soon">
        <p class="notice">
          <strong>{t('soon.title')}</strong>
        </p>
        <p>{t('soon.body')}</p>
      </div>
    </Screen>
  );
}
