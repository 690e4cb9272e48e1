import type { ComponentChildren } from 'preact';
import { Icon, type IconName } from './Icon';

/** One screen: an icon and heading, the body, and the actions at the bottom (easy to reach). */
export function Screen(props: {
  name: string;
  step?: string | null;
  icon?: IconName;
  tone?: 'normal' | 'good' | 'bad';
  title: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <main
      class={`screen tone-${props.tone ?? 'normal'}`}
      data-testid={`screen-${props.name}`}
      data-step={props.step ?? undefined}
    >
      <div class="screen-body">
        {/* Icon above the title in portrait, beside it in landscape (height is scarce there). */}
        <div class="screen-head">
          {props.icon && (
            <span class="screen-icon">
              <Icon name={props.icon} size="1em" />
            </span>
          )}
          <h1 class="screen-title">{props.title}</h1>
        </div>
        {props.children}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </main>
  );
}

export function Action(props: {
  testid: string;
  onClick(): void;
  primary?: boolean;
  icon?: IconName;
  children: ComponentChildren;
}) {
  return (
    <button type="button" class={props.primary ? 'primary' : ''} data-testid={props.testid} onClick={props.onClick}>
      {props.icon && <Icon name={props.icon} size="1em" />}
      {props.children}
    </button>
  );
}
