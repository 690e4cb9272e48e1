import { useState } from 'preact/hooks';
import { api, type Followup, type RatingGroup, type RatingsSummary } from './api.js';
import { ColumnHeads, ConfirmDialog, ErrorLine, ListToolbar, usePoll, useSession } from './common.js';
import { formatAgo, formatTime, serviceLabel } from './labels.js';

const levelLabel: Record<string, string> = {
  verySatisfied: '非常满意 Very satisfied',
  satisfied: '满意 Satisfied',
  basicallySatisfied: '基本满意 Basically satisfied',
  dissatisfied: '不满意 Dissatisfied',
  veryDissatisfied: '非常不满意 Very dissatisfied',
};

const reasonLabel: Record<string, string> = {
  waitTooLong: '等待时间长 Long wait',
  hardToUse: '操作不方便 Hard to use',
  deviceFault: '设备故障 Device fault',
  resultWrong: '结果有误 Wrong result',
  notSolved: '问题未解决 Not solved',
  other: '其他 Other',
};

const percent = (r: number | null): string => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/**
 * Satisfaction rate per day as a small SVG line (no chart library): days without ratings break
 * the line. The numbers are also in the table below it, for screen readers and exact values.
 */
function RateChart({ series }: { series: RatingsSummary['series'] }) {
  const w = 640;
  const h = 160;
  const pad = { l: 44, r: 8, t: 8, b: 24 };
  const x = (i: number): number => pad.l + (series.length <= 1 ? 0 : (i * (w - pad.l - pad.r)) / (series.length - 1));
  const y = (r: number): number => pad.t + (1 - r) * (h - pad.t - pad.b);
  const segments: string[] = [];
  let cur = '';
  series.forEach((p, i) => {
    if (p.rate === null) {
      if (cur) segments.push(cur);
      cur = '';
      return;
    }
    cur += `${cur ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.rate).toFixed(1)}`;
  });
  if (cur) segments.push(cur);
  const last = [...series].reverse().find((p) => p.rate !== null);
  return (
    <svg
      class="rate-chart"
      data-testid="rate-chart"
      viewBox={`0 0 ${w} ${h}`}
      role="img"
      aria-label={`满意率趋势 Satisfaction rate over time; latest ${percent(last?.rate ?? null)}`}
    >
      {[0, 0.5, 1].map((g) => (
        <g key={g}>
          <line x1={pad.l} x2={w - pad.r} y1={y(g)} y2={y(g)} class="grid" />
          <text x={pad.l - 6} y={y(g) + 4} text-anchor="end" class="axis">
            {g * 100}%
          </text>
        </g>
      ))}
      {series.length > 0 ? (
        <>
          <text x={pad.l} y={h - 6} class="axis">
            {series[0]!.date.slice(5)}
          </text>
          <text x={w - pad.r} y={h - 6} text-anchor="end" class="axis">
            {series[series.length - 1]!.date.slice(5)}
          </text>
        </>
      ) : null}
      {segments.map((d) => (
        <path key={d} d={d} class="line" />
      ))}
      {series.map((p, i) =>
        p.rate === null ? null : (
          <circle key={p.date} cx={x(i)} cy={y(p.rate)} r={3.5} class="point" data-date={p.date} data-rate={p.rate.toFixed(4)}>
            <title>{`${p.date}: ${percent(p.rate)} (${p.satisfied}/${p.total})`}</title>
          </circle>
        ),
      )}
    </svg>
  );
}

function GroupTable({
  title,
  groups,
  label,
  testid,
}: {
  title: string;
  groups: RatingGroup[];
  label(key: string): string;
  testid: string;
}) {
  return (
    <table class="list" data-testid={testid}>
      <caption>{title}</caption>
      <ColumnHeads columns={[title, '评价数 Ratings', '差评 Bad', '满意率 Rate', '待整改 Open follow-ups']} />
      <tbody>
        {groups.map((g) => (
          <tr key={g.key} data-key={g.key}>
            <td>{label(g.key)}</td>
            <td data-field="total">{g.total}</td>
            <td data-field="bad">{g.bad}</td>
            <td data-field="rate">{percent(g.rate)}</td>
            <td data-field="open">{g.openFollowups}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HandleButton({ item, onDone }: { item: Followup; onDone(): void }) {
  const { user } = useSession();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (user.role !== 'operator' || item.handledAt !== null) return null;
  return (
    <>
      <button type="button" class="small" data-handle={item.id} onClick={() => setOpen(true)}>
        标记已处理 Mark handled
      </button>
      {open ? (
        <ConfirmDialog
          title="差评整改 Follow-up handled"
          confirmLabel="保存 Save"
          busy={busy}
          onCancel={() => setOpen(false)}
          onConfirm={async () => {
            setBusy(true);
            setError(null);
            try {
              await api.handleFollowup(item.id, note);
              setOpen(false);
              onDone();
            } catch (err) {
              setError(err instanceof Error ? err.message : String(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <label class="field">
            处理说明 Note
            <textarea
              name="note"
              maxLength={500}
              rows={3}
              value={note}
              onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)}
            />
          </label>
          <ErrorLine error={error} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}

export function RatingsView() {
  const [days, setDays] = useState(14);
  const [site, setSite] = useState('');
  const [service, setService] = useState('');
  const [all, setAll] = useState(false);
  // The chart and tables narrow to one site and/or one service; the follow-up list shows all.
  const summary = usePoll(() => api.ratingsSummary(days, site, service), 10_000, `ratings:${days}:${site}:${service}`);
  const items = usePoll(() => api.followups(all), 10_000, `followups:${all}`);
  const s = summary.data?.summary;
  const reload = (): void => {
    items.reload();
    summary.reload();
  };
  return (
    <section data-testid="ratings-view">
      <div class="toolbar">
        <h1>好差评 Service ratings</h1>
        <label class="inline">
          最近 Last
          <select value={days} onChange={(e) => setDays(Number((e.target as HTMLSelectElement).value))}>
            {[7, 14, 30, 90].map((d) => (
              <option key={d} value={d}>
                {d} 天 days
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          服务点 Site
          <select data-testid="ratings-site" value={site} onChange={(e) => setSite((e.target as HTMLSelectElement).value)}>
            <option value="">全部 All</option>
            {(s?.sites ?? (site ? [site] : [])).map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          服务 Service
          <select
            data-testid="ratings-service"
            value={service}
            onChange={(e) => setService((e.target as HTMLSelectElement).value)}
          >
            <option value="">全部 All</option>
            {(s?.services ?? (service ? [service] : [])).map((x) => (
              <option key={x} value={x}>
                {serviceLabel[x] ?? x}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorLine error={summary.error ?? items.error} />
      {!s ? (
        <p class="loading">加载中… Loading…</p>
      ) : (
        <>
          <p class="ratings-total">
            评价 Ratings <strong data-testid="ratings-total">{s.total}</strong> · 满意率 Satisfaction{' '}
            <strong data-testid="ratings-rate">{percent(s.rate)}</strong>
          </p>
          <RateChart series={s.series} />
          <div class="ratings-groups">
            <GroupTable title="按服务点 By site" groups={s.bySite} label={(k) => k} testid="ratings-by-site" />
            <GroupTable
              title="按服务 By service"
              groups={s.byService}
              label={(k) => serviceLabel[k] ?? k}
              testid="ratings-by-service"
            />
          </div>
        </>
      )}
      <ListToolbar
        level={2}
        title={all ? '差评整改 Follow-ups (all)' : '待整改 Open follow-ups'}
        all={all}
        onAll={setAll}
        allLabel="包括已处理 Include handled"
      />
      {!items.data ? null : items.data.followups.length === 0 ? (
        <p class="muted">没有整改事项 No follow-ups</p>
      ) : (
        <table class="list followups" data-testid="followups">
          <ColumnHeads
            columns={[
              '服务点 / 终端 Site / kiosk',
              '事项 Service item',
              '评价 Rating',
              '原因 Reasons',
              '时间 When',
              '状态 State',
              '',
            ]}
          />
          <tbody>
            {items.data.followups.map((f) => (
              <tr key={f.id} data-followup={f.id} data-service={f.service} class={f.handledAt === null ? '' : 'resolved'}>
                <td data-label="服务点 Site">
                  {f.site}
                  <div class="muted">
                    <a href={`#/kiosk/${encodeURIComponent(f.kioskId)}`}>{f.kioskId}</a>
                  </div>
                </td>
                <td data-label="事项 Item">
                  {f.itemName}
                  <div class="muted">{f.department}</div>
                </td>
                <td data-label="评价 Rating">{levelLabel[f.level] ?? f.level}</td>
                <td data-label="原因 Reasons" data-field="reasons">
                  {f.reasons.map((r) => reasonLabel[r] ?? r).join('、') || '—'}
                </td>
                <td data-label="时间 When" title={formatTime(f.openedAt)}>
                  {formatAgo(f.openedAt)}
                </td>
                <td data-label="状态 State" data-field="state">
                  {f.handledAt === null ? '待整改 Open' : `已处理 Handled ${formatTime(f.handledAt)}`}
                  {f.handledBy ? <div class="muted">{`${f.handledBy}：${f.note ?? ''}`}</div> : null}
                </td>
                <td>
                  <HandleButton item={f} onDone={reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
