import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';
import { Action, Screen } from '../components/Screen';
import type { ScreenProps } from './types';

/**
 * The session's own buttons and the "this step went wrong" layout, shared by the identity and face
 * screens (issue 13: each carried copies). The test ids (`continue`, `retry`, `back-home`) are the
 * ones the browser tests and the staff scripts tap.
 */

type Send = ScreenProps['send'];

/** 继续: the session moves on to its next step. */
export function ContinueAction({ send }: { send: Send }) {
  const t = useT();
  return (
    <Action testid="continue" primary onClick={() => send('Session.Continue')}>
      {t('common.continue')}
    </Action>
  );
}

/** 重试: the session tries the failed step again. */
function RetryAction({ send }: { send: Send }) {
  const t = useT();
  return (
    <Action testid="retry" primary onClick={() => send('Session.Retry')}>
      {t('common.retry')}
    </Action>
  );
}

/** 返回 to the home screen: the session ends its service. */
export function HomeAction({ send }: { send: Send }) {
  const t = useT();
  return (
    <Action testid="back-home" icon="home" onClick={() => send('Session.Home')}>
      {t('common.back')}
    </Action>
  );
}

/**
 * A step that went wrong: the alert heading, what to do in the body, Retry first when it may help
 * and then the way out the step offers.
 */
export function ProblemScreen(props: {
  name: string;
  step: string;
  title: string;
  send: Send;
  retry: boolean;
  wayOut: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <Screen
      name={props.name}
      step={props.step}
      icon="alert"
      tone="bad"
      title={props.title}
      actions={
        props.retry ? (
          <>
            <RetryAction send={props.send} />
            {props.wayOut}
          </>
        ) : (
          props.wayOut
        )
      }
    >
      {props.children}
    </Screen>
  );
}
