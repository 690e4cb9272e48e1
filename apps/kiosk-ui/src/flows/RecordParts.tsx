import { Fragment, type ComponentChildren } from 'preact';
import type { HolderView } from '@kiosk/contracts/record-views';
import { useT, usePrefs } from '../i18n';
import { upstreamText } from '../i18n/upstream';
import { Paged } from '../components/Paged';

/**
 * Pieces the record screens (property, tax, social, licences) are built from (issue 13: each list
 * and choice was written out per screen). Classes are in flows.css; data shown is masked by the agent.
 */

/** Whose records these are: the masked name and ID number. */
export function Holder({ holder }: { holder: HolderView | null }) {
  const t = useT();
  if (!holder) return null;
  return (
    <p class="rf-holder" data-testid="rf-holder">
      <span>{t('identity.name')}：</span>
      <strong data-testid="rf-holder-name">{holder.name}</strong>
      <span>{t('identity.number')}：</span>
      <strong data-testid="rf-holder-number">{holder.idNumber}</strong>
    </p>
  );
}

/** A record's label/value rows; a value upstream left empty shows no row. */
export function Fields({ rows }: { rows: readonly (readonly [label: string, value: string])[] }) {
  const { lang } = usePrefs();
  return (
    <dl class="fields rf-fields">
      {rows
        .filter(([, value]) => value)
        .map(([label, value]) => (
          <Fragment key={label}>
            <dt>{label}</dt>
            <dd>{upstreamText(value, lang)}</dd>
          </Fragment>
        ))}
    </dl>
  );
}

/** A payment's heading: what was paid (upstream words, in English when known) and the amount; `mark` goes first. */
export function PaymentTitle({ what, amount, mark }: { what: readonly string[]; amount: string; mark?: ComponentChildren }) {
  const { lang } = usePrefs();
  return (
    <span class="rf-item-title">
      {mark}
      {what.map((w) => upstreamText(w, lang)).join(' · ')} <strong class="rf-amount">{amount}</strong>
    </span>
  );
}

/** The records of a step, paged so none hides in a scroll box (`rf-list`). */
export function RecordList<T>(props: {
  items: readonly T[];
  keyOf(item: T): string;
  render(item: T, measure: boolean): ComponentChildren;
  /** What the list is, for screen readers; records by default. */
  label?: string;
}) {
  const t = useT();
  return (
    <Paged
      items={props.items}
      keyOf={props.keyOf}
      listClass="rf-list"
      testid="rf-list"
      label={props.label ?? t('flows.list.label')}
      render={props.render}
    />
  );
}

/**
 * A record the citizen taps to pick (or, with `pressed`, to toggle). In Paged's hidden measuring
 * copy (`measure`) it has no test ids, no handler and no tab stop.
 */
export function PickItem(props: {
  measure: boolean;
  pressed?: boolean;
  /** The test ids and data attributes of the live item. */
  testAttrs: Record<`data-${string}`, string>;
  onClick(): void;
  children: ComponentChildren;
}) {
  const toggle = props.pressed !== undefined;
  return (
    <button
      type="button"
      class={toggle ? 'rf-item rf-pick rf-toggle' : 'rf-item rf-pick'}
      aria-pressed={props.pressed}
      {...(props.measure ? { tabIndex: -1 } : { ...props.testAttrs, onClick: props.onClick })}
    >
      {props.children}
    </button>
  );
}

/** One large choice of a step (a kind, a year, a purpose): its name and, when there is one, a line saying what it means. */
export function Choice(props: { testid: string; onClick(): void; title: string; desc?: string }) {
  return (
    <button type="button" class="rf-choice" data-testid={props.testid} onClick={props.onClick}>
      <strong>{props.title}</strong>
      {props.desc !== undefined && <span>{props.desc}</span>}
    </button>
  );
}
