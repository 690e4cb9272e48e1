import type { FunctionComponent } from 'preact';
import type { ServiceId } from '@kiosk/contracts/session-view';
import { useT } from '../i18n';
import type { ScreenProps } from './types';
import { recordFlowScreens } from '../flows/RecordFlows';
import { gasFlowScreens } from '../flows/GasFlow';
import { licenceFlowScreens } from '../flows/LicenceFlow';
import { photoFlowScreens } from '../flows/PhotoFlow';
import { ServicePlaceholder } from '../flows/FlowScreens';

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
function ComingSoon(props: ScreenProps) {
  const t = useT();
  return (
    <ServicePlaceholder {...props} step="comingSoon">
      <div data-testid="coming-soon">
        <p class="notice">
          <strong>{t('soon.title')}</strong>
        </p>
        <p>{t('soon.body')}</p>
      </div>
    </ServicePlaceholder>
  );
}
