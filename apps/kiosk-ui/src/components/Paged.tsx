import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../i18n';
import { Icon } from './Icon';

/**
 * A list that never hides records in a scroll box (issue 19): it shows as many whole items as fit
 * in the room the screen leaves, and pages through the rest with large 上一页 / 下一页 buttons and
 * "第 2/4 页". Page breaks come from measuring every item in a hidden copy of the list, again
 * whenever the room or the items' size changes (orientation, 长辈版, language).
 */
export function Paged<T>(props: {
  items: readonly T[];
  keyOf(item: T): string;
  /** `measure`: the hidden copy for measuring; render no test ids or handlers there. */
  render(item: T, measure: boolean): ComponentChildren;
  /** The list element's class (e.g. `rf-list`) and test id. */
  listClass: string;
  testid: string;
  label: string;
  tag?: 'ol' | 'ul';
}) {
  const t = useT();
  const view = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLOListElement & HTMLUListElement>(null);
  // Start index of each page.
  const [starts, setStarts] = useState<number[]>([0]);
  const [page, setPage] = useState(0);

  useLayoutEffect(() => {
    const v = view.current;
    const m = measure.current;
    if (!v || !m) return;
    const fit = (): void => {
      const room = v.clientHeight;
      const st = getComputedStyle(m);
      const gap = parseFloat(st.rowGap) || 0;
      const pad = (parseFloat(st.paddingTop) || 0) + (parseFloat(st.paddingBottom) || 0);
      const heights = [...m.children].map((c) => (c as HTMLElement).getBoundingClientRect().height);
      const next: number[] = [0];
      let used = pad;
      heights.forEach((h, i) => {
        const add = used === pad ? h : gap + h;
        if (used + add > room + 0.5 && used > pad) {
          next.push(i);
          used = pad + h;
        } else used += add;
      });
      setStarts((cur) => (cur.length === next.length && cur.every((x, i) => x === next[i]) ? cur : next));
    };
    fit();
    const ro = new ResizeObserver(fit);
    ro.observe(v);
    ro.observe(m);
    return () => ro.disconnect();
  }, [props.items]);

  const pages = starts.length;
  const current = Math.min(page, pages - 1);
  const from = starts[current] ?? 0;
  const to = starts[current + 1] ?? props.items.length;
  const Tag = props.tag ?? 'ol';
  return (
    <div class="paged" data-pages={pages} data-page={current + 1}>
      <div class="paged-view" ref={view}>
        <Tag
          class={props.listClass}
          data-testid={props.testid}
          aria-label={props.label}
          start={Tag === 'ol' ? from + 1 : undefined}
        >
          {props.items.slice(from, to).map((item) => (
            <li key={props.keyOf(item)}>{props.render(item, false)}</li>
          ))}
        </Tag>
        <Tag class={`${props.listClass} paged-measure`} ref={measure} aria-hidden="true">
          {props.items.map((item) => (
            <li key={props.keyOf(item)}>{props.render(item, true)}</li>
          ))}
        </Tag>
      </div>
      {pages > 1 && (
        <nav class="pager" aria-label={props.label}>
          <button type="button" data-testid="page-prev" disabled={current === 0} onClick={() => setPage(current - 1)}>
            <Icon name="prev" size="1em" />
            {t('pager.prev')}
          </button>
          <p class="pager-count" data-testid="page-count" aria-live="polite">
            {t('pager.count', { page: current + 1, pages })}
          </p>
          <button type="button" data-testid="page-next" disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            {t('pager.next')}
            <Icon name="next" size="1em" />
          </button>
        </nav>
      )}
    </div>
  );
}
