import type { ComponentChildren } from 'preact';
import { Icon, type IconName } from '../components/Icon';

/**
 * The staff layer's dialog pieces (issue 13: the prompt, menu, waiting notice, guide's tools and
 * panel each wrote them out): the modal card, its heading with the close button, and the wide
 * staff buttons. Classes are in staff.css.
 */

/** A modal card over the citizen's screen, labelled by its heading (`titleId`). */
export function StaffDialog({ titleId, testid, children }: { titleId: string; testid: string; children: ComponentChildren }) {
  return (
    <div class="staff-overlay" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid={testid}>
      <div class="staff-card">{children}</div>
    </div>
  );
}

/** A dialog's heading with its way out (close, or leave the panel) beside it. */
export function StaffHead(props: {
  titleId: string;
  title: ComponentChildren;
  closeTestid: string;
  closeLabel: string;
  onClose(): void;
}) {
  return (
    <div class="staff-head">
      <h2 id={props.titleId}>{props.title}</h2>
      <button type="button" class="staff-close" data-testid={props.closeTestid} onClick={props.onClose}>
        <Icon name="exit" size="1.2em" />
        {props.closeLabel}
      </button>
    </div>
  );
}

/** A full-width staff button; the icon, when there is one, is 1.2em unless `iconSize` says otherwise. */
export function WideButton(props: {
  testid: string;
  onClick(): void;
  primary?: boolean;
  disabled?: boolean;
  icon?: IconName;
  iconSize?: string;
  children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={props.primary ? 'primary staff-wide' : 'staff-wide'}
      data-testid={props.testid}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      {props.icon && <Icon name={props.icon} size={props.iconSize ?? '1.2em'} />}
      {props.children}
    </button>
  );
}
