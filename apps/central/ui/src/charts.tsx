/**
 * Hand-written SVG charts (no chart library): stacked daily bars, a percentage bar chart and
 * sparklines. Each chart is an <svg role="img"> with <title>/<desc> and a data table beside it
 * (collapsed), so screen-reader users and people who prefer numbers get the same facts.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/** Series colours: each at least 3:1 against the white card (WCAG 1.4.11), told apart by order too. */
const palette = ['#0b5cad', '#17803d', '#8a5a00', '#b3261e', '#6b3fa0', '#00738a', '#4b5563'];

export interface BarSeries {
  name: string;
  values: readonly number[];
}

const W = 640;
const H = 180;
const pad = { left: 52, right: 8, top: 12, bottom: 30 };

/** `2026-12-03` → `12-03`. */
const shortDay = (d: string): string => d.slice(5);

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function XLabels({ days }: { days: readonly string[] }) {
  const bw = (W - pad.left - pad.right) / days.length;
  const every = Math.max(1, Math.ceil(days.length / 8));
  return (
    <g class="axis" aria-hidden="true">
      {days.map((d, i) =>
        i % every === 0 || i === days.length - 1 ? (
          <text key={d} x={pad.left + i * bw + bw / 2} y={H - 10} text-anchor="middle">
            {shortDay(d)}
          </text>
        ) : null,
      )}
      <line x1={pad.left} x2={W - pad.right} y1={H - pad.bottom} y2={H - pad.bottom} stroke="#5b6776" />
    </g>
  );
}

function DataTable({
  caption,
  days,
  columns,
}: {
  caption: string;
  days: readonly string[];
  columns: { name: string; values: readonly (string | number)[] }[];
}) {
  return (
    <details class="chart-table">
      <summary>数据表 Data table</summary>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">日期 Day</th>
            {columns.map((c) => (
              <th scope="col" key={c.name}>
                {c.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((d, i) => (
            <tr key={d}>
              <th scope="row">{d}</th>
              {columns.map((c) => (
                <td key={c.name}>{c.values[i]}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/**
 * The figure every daily chart is: the accessible <svg> (title, description) with the value axis
 * (`yLabels`, top first) and the day axis around the chart's bars, then the caption (title and
 * `note`) and the numbers as a table.
 */
function DailyChart({
  title,
  summary,
  days,
  yLabels,
  note,
  table,
  children,
}: {
  title: string;
  summary: string;
  days: readonly string[];
  yLabels: { y: number; text: string | number }[];
  note: ComponentChildren;
  table: { name: string; values: readonly (string | number)[] }[];
  children: ComponentChildren;
}) {
  const id = useId();
  return (
    <figure class="chart" data-chart={title}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`} class="chart-svg">
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <g class="axis" aria-hidden="true">
          {yLabels.map((l) => (
            <text key={l.y} x={pad.left - 6} y={l.y} text-anchor="end">
              {l.text}
            </text>
          ))}
          <line x1={pad.left} x2={W - pad.right} y1={pad.top} y2={pad.top} stroke="#d9dee5" />
        </g>
        {children}
        <XLabels days={days} />
      </svg>
      <figcaption>
        <span class="chart-title">{title}</span> {note}
      </figcaption>
      <DataTable caption={title} days={days} columns={table} />
    </figure>
  );
}

/** Day `i`'s bar (or a segment of it) from `top` down `height` pixels; at least a hairline. */
function DayBar({ i, count, top, height, fill }: { i: number; count: number; top: number; height: number; fill: string }) {
  const bw = (W - pad.left - pad.right) / count;
  return <rect x={pad.left + i * bw + bw * 0.15} y={top} width={bw * 0.7} height={Math.max(1, height)} fill={fill} />;
}

/** Stacked bars per day, one colour per series, with a legend and a table. */
export function BarChart({
  title,
  days,
  series,
  unit,
  summary,
}: {
  title: string;
  days: readonly string[];
  series: readonly BarSeries[];
  unit: string;
  summary: string;
}) {
  const totals = days.map((_, i) => series.reduce((a, s) => a + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotH = H - pad.top - pad.bottom;
  const y = (v: number): number => pad.top + plotH - (v / max) * plotH;
  return (
    <DailyChart
      title={title}
      summary={summary}
      days={days}
      yLabels={[
        { y: pad.top + 4, text: max },
        { y: H - pad.bottom, text: 0 },
      ]}
      note={
        <>
          <span class="muted">({unit})</span>
          {series.length > 1 ? (
            <ul class="legend">
              {series.map((s, j) => (
                <li key={s.name}>
                  <span class="swatch" style={{ background: palette[j % palette.length] }} aria-hidden="true" />
                  {s.name}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      }
      table={series.map((s) => ({ name: s.name, values: s.values }))}
    >
      {days.map((d, i) => {
        let base = 0;
        return (
          <g key={d}>
            {series.map((s, j) => {
              const v = s.values[i] ?? 0;
              if (v <= 0) return null;
              const top = y(base + v);
              const h = y(base) - top;
              base += v;
              return <DayBar key={s.name} i={i} count={days.length} top={top} height={h} fill={palette[j % palette.length]!} />;
            })}
          </g>
        );
      })}
    </DailyChart>
  );
}

/** Availability per day as bars from 0 to 100 %; days without data show as a gap ("—" in the table). */
export function PercentChart({
  title,
  days,
  values,
  summary,
}: {
  title: string;
  days: readonly string[];
  values: readonly (number | null)[];
  summary: string;
}) {
  const plotH = H - pad.top - pad.bottom;
  const pct = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
  return (
    <DailyChart
      title={title}
      summary={summary}
      days={days}
      yLabels={[
        { y: pad.top + 4, text: '100%' },
        { y: pad.top + plotH / 2 + 4, text: '50%' },
        { y: H - pad.bottom, text: 0 },
      ]}
      note={<span class="muted">(%; 低于 95% 标红 below 95% in red)</span>}
      table={[{ name: '可用率 Availability', values: values.map(pct) }]}
    >
      {values.map((v, i) => {
        if (v === null) return null;
        const h = v * plotH;
        // Below 95 % a day stands out in the error colour.
        return (
          <DayBar
            key={days[i]}
            i={i}
            count={days.length}
            top={pad.top + plotH - h}
            height={h}
            fill={v < 0.95 ? '#b3261e' : '#17803d'}
          />
        );
      })}
    </DailyChart>
  );
}

/** A small inline line for a table row or heading; `label` says in words what it shows. */
export function Sparkline({ values, label, max }: { values: readonly (number | null)[]; label: string; max?: number }) {
  const w = 84;
  const h = 22;
  const nums = values.filter((v): v is number => v !== null);
  const top = max ?? niceMax(Math.max(0, ...nums));
  const step = values.length > 1 ? (w - 4) / (values.length - 1) : 0;
  let d = '';
  values.forEach((v, i) => {
    if (v === null) return;
    const x = 2 + i * step;
    const yv = h - 2 - (v / (top || 1)) * (h - 4);
    d += `${d && values[i - 1] !== null ? 'L' : 'M'}${x.toFixed(1)},${yv.toFixed(1)}`;
  });
  return (
    <svg class="sparkline" viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={label}>
      <path d={d} fill="none" stroke="#0b5cad" stroke-width={1.8} />
    </svg>
  );
}
