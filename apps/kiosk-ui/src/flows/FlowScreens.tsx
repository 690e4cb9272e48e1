import type { ComponentChildren } from 'preact';
import { useT } from '../i18n';
import type { IconName } from '../components/Icon';
import { Progress } from '../components/Progress';
import { Action, Screen } from '../components/Screen';
import { tileText } from '../screens/Home';
import type { ScreenProps } from '../screens/types';
import { back, cont, type Send } from './actions';

/**
 * Screens every service flow has (issue 13: the record and gas flows each carried a copy): the
 * upstream error with its optional retry, a working step with a spinner, and the "previous"
 * button. A flow names its test ids by its prefix (`rf-retry`, `gas-back`, …); the look is the same.
 */

/** 上一步: BACK inside the flow (the flow decides where that is). */
export function PrevAction({ send, testid }: { send: Send; testid: string }) {
  const t = useT();
  return (
    <Action testid={testid} onClick={back(send)}>
      {t('flows.previous')}
    </Action>
  );
}

/** 首页 from a flow step that may leave (the agent refuses HOME while money or a device is busy). */
export function FlowHomeAction({ send, testid }: { send: Send; testid: string }) {
  const t = useT();
  return (
    <Action testid={testid} icon="home" onClick={() => send('Session.Home')}>
      {t('common.home')}
    </Action>
  );
}

/** A flow's error step: the alert heading in the bad tone, the step's ways on, what went wrong. */
export function ErrorStepFrame(props: { title: string; actions: ComponentChildren; children: ComponentChildren }) {
  return (
    <Screen name="service" step="error" icon="alert" tone="bad" title={props.title} actions={props.actions}>
      {props.children}
    </Screen>
  );
}

/** A step failed upstream: the citizen text, a retry when it may help, and the way out. */
export function FlowErrorScreen(props: {
  send: Send;
  /** Test id prefix of the flow: `<prefix>-retry`, `<prefix>-back`, `<prefix>-error`. */
  prefix: string;
  title: string;
  message: string;
  hint: string;
  retry: boolean;
}) {
  const t = useT();
  const { send, prefix } = props;
  return (
    <ErrorStepFrame
      title={props.title}
      actions={
        <>
          {props.retry && (
            <Action testid={`${prefix}-retry`} primary onClick={cont(send)}>
              {t('common.retry')}
            </Action>
          )}
          <Action testid={`${prefix}-back`} icon="home" onClick={back(send)}>
            {t('flows.back')}
          </Action>
        </>
      }
    >
      <p class="notice" data-testid={`${prefix}-error`}>
        {props.message}
      </p>
      <p>{props.hint}</p>
    </ErrorStepFrame>
  );
}

/** Something is in hand upstream or on a device: the spinner with words, and what else the step shows below it. */
export function WorkingScreen(props: {
  step: string | null;
  icon: IconName;
  title: string;
  text: string;
  testid: string;
  actions?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <Screen name="service" step={props.step} icon={props.icon} title={props.title} actions={props.actions}>
      <Progress text={props.text} testid={props.testid} />
      {props.children}
    </Screen>
  );
}

/**
 * A service step with no screen of its own (the placeholder before a flow lands, or a step a flow's
 * screens do not know): the service's title with Continue and Back, so nobody is stuck.
 */
export function ServicePlaceholder({
  view,
  send,
  step,
  children,
}: ScreenProps & { step: string | null; children?: ComponentChildren }) {
  const t = useT();
  const id = view.service?.id ?? 'property';
  return (
    <Screen
      name="service"
      step={step}
      icon={id}
      title={t(tileText[id].title)}
      actions={
        <>
          <Action testid="continue" primary onClick={cont(send)}>
            {t('common.continue')}
          </Action>
          <Action testid="back-home" icon="home" onClick={back(send)}>
            {t('common.back')}
          </Action>
        </>
      }
    >
      {children}
    </Screen>
  );
}
