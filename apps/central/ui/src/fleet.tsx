import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type FleetState, type KioskSummary, type SiteSparkline } from './api.js';
import { Sparkline } from './charts.js';
import { ColumnHeads, ErrorLine, PausedServices, StateBadge, usePoll } from './common.js';
import { formatAgo, modeLabel, paperLabel, stateLabel } from './labels.js';

const states: FleetState[] = ['online', 'warning', 'error', 'offline'];
const pageSize = 300;

function KioskRow({ k, now }: { k: KioskSummary; now: number }) {
  const href = `#/kiosk/${encodeURIComponent(k.id)}`;
  return (
    <tr class={`row-${k.state}`} data-kiosk={k.id}>
      <td data-label="状态 Status">
        <StateBadge state={k.state} />
      </td>
      <td data-label="终端 Kiosk">
        <a href={href} class="kiosk-link">
          <strong>{k.id}</strong>
        </a>
        {k.name ? <div class="muted">{k.name}</div> : null}
      </td>
      <td data-label="最后心跳 Last heartbeat" title={k.lastSeenAt ? new Date(k.lastSeenAt).toLocaleString('zh-CN') : ''}>
        {formatAgo(k.lastSeenAt, now)}
      </td>
      <td data-label="纸张 Paper">{k.paper ? (paperLabel[k.paper] ?? k.paper) : '—'}</td>
      <td data-label="模式 Mode">
        {k.mode ? (modeLabel[k.mode] ?? k.mode) : '—'}
        <PausedServices services={k.services} />
      </td>
      <td data-label="版本 Versions" class="mono">
        {k.versions ? `${k.versions.agent}${k.versions.ui ? ` / UI ${k.versions.ui}` : ''}` : '—'}
      </td>
      <td data-label="问题 Issues">
        {k.conditions.length ? (
          <ul class="issues">
            {k.conditions.map((c) => (
              <li key={c.code} class={`sev-text-${c.severity}`}>
                {c.message}
              </li>
            ))}
          </ul>
        ) : k.openAlerts ? (
          <span class="muted">{k.openAlerts} 条告警 open alerts</span>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
    </tr>
  );
}

/** The value after it stopped changing for `ms` (typing in the search box). */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Seven-day availability and transactions of a site, as small lines with the figures in words. */
function SiteSparks({ spark }: { spark: SiteSparkline | undefined }) {
  if (!spark) return null;
  const known = spark.availability.filter((v): v is number => v !== null);
  const avg = known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  const tx = spark.transactions.reduce((a, b) => a + b, 0);
  const availText = avg === null ? '无数据 no data' : `${(avg * 100).toFixed(1)}%`;
  return (
    <span class="site-sparks" data-sparklines={spark.site}>
      <span class="spark">
        <Sparkline values={spark.availability} max={1} label={`近7天可用率 7-day availability, 平均 average ${availText}`} />
        <span class="muted">可用 {availText}</span>
      </span>
      <span class="spark">
        <Sparkline values={spark.transactions} label={`近7天业务量 7-day transactions: ${spark.transactions.join(', ')}`} />
        <span class="muted">业务 {tx}</span>
      </span>
    </span>
  );
}

/**
 * Filtering and paging happen on central, so the page gets the fleet counts and at most a few
 * hundred rows whatever the fleet size.
 */
export function FleetView() {
  const [query, setQuery] = useState('');
  const [stateFilter, setStateFilter] = useState<FleetState | 'all'>('all');
  const [modeFilter, setModeFilter] = useState('all');
  const [limit, setLimit] = useState(pageSize);
  const q = useDebounced(query.trim(), 250);
  const filter = {
    limit,
    ...(stateFilter !== 'all' ? { state: stateFilter } : {}),
    ...(modeFilter !== 'all' ? { mode: modeFilter } : {}),
    ...(q ? { q } : {}),
  };
  const key = JSON.stringify(filter);
  const { data, error } = usePoll(() => api.fleet(filter), 5000, key);
  // Keep showing the previous answer while a new filter loads, so the table does not flash.
  const [shown, setShown] = useState(data);
  useEffect(() => {
    if (data) setShown(data);
  }, [data]);

  const groups = useMemo(() => {
    const bySite = new Map<string, KioskSummary[]>();
    for (const k of shown?.kiosks ?? []) {
      let g = bySite.get(k.site);
      if (!g) bySite.set(k.site, (g = []));
      g.push(k);
    }
    return [...bySite.entries()];
  }, [shown]);
  const siteCounts = useMemo(() => new Map((shown?.sites ?? []).map((s) => [s.site, s])), [shown]);
  // Seven-day sparklines per site; central caches them for a minute, so poll at that pace.
  const sparks = usePoll(() => api.siteSparklines(), 60_000, 'sparklines').data;
  const sparkBySite = useMemo(() => new Map((sparks?.sites ?? []).map((s) => [s.site, s])), [sparks]);

  if (!shown) return <p class="loading">{error ? <ErrorLine error={error} /> : '加载中… Loading…'}</p>;
  const now = shown.generatedAt;

  return (
    <section>
      <div class="summary" role="group" aria-label="按状态筛选 Filter by state">
        <button
          type="button"
          class={stateFilter === 'all' ? 'chip active' : 'chip'}
          onClick={() => setStateFilter('all')}
          aria-pressed={stateFilter === 'all'}
        >
          全部 All <b>{shown.total}</b>
        </button>
        {states.map((s) => (
          <button
            type="button"
            key={s}
            data-filter={s}
            class={`chip chip-${s}${stateFilter === s ? ' active' : ''}`}
            onClick={() => {
              setStateFilter(stateFilter === s ? 'all' : s);
              setLimit(pageSize);
            }}
            aria-pressed={stateFilter === s}
          >
            {stateLabel[s]} <b>{shown.counts[s] ?? 0}</b>
          </button>
        ))}
      </div>
      <div class="toolbar">
        <input
          type="search"
          placeholder="搜索编号、名称、站点、问题 Search id, name, site, issue"
          aria-label="搜索 Search"
          value={query}
          onInput={(e) => {
            setQuery((e.target as HTMLInputElement).value);
            setLimit(pageSize);
          }}
        />
        <select
          aria-label="模式 Mode"
          value={modeFilter}
          onChange={(e) => {
            setModeFilter((e.target as HTMLSelectElement).value);
            setLimit(pageSize);
          }}
        >
          <option value="all">全部模式 All modes</option>
          {Object.entries(modeLabel).map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
        <span class="muted count" data-testid="shown-count">
          {shown.matched} / {shown.total}
        </span>
      </div>
      <ErrorLine error={error} />
      {groups.length === 0 ? <p class="muted">没有符合条件的终端 No kiosks match</p> : null}
      {groups.map(([site, kiosks]) => {
        const sc = siteCounts.get(site);
        return (
          <div class="site" key={site}>
            <h2 class="site-title">
              <a href={`#/site/${encodeURIComponent(site)}`} data-site-link={site}>
                {site}
              </a>
              <span class="site-counts">
                {states
                  .filter((s) => (sc?.[s] ?? 0) > 0)
                  .map((s) => (
                    <span key={s} class={`mini mini-${s}`}>
                      {stateLabel[s].split(' ')[0]} {sc?.[s]}
                    </span>
                  ))}
              </span>
              <SiteSparks spark={sparkBySite.get(site)} />
            </h2>
            <table class="fleet">
              <ColumnHeads
                columns={[
                  '状态 Status',
                  '终端 Kiosk',
                  '最后心跳 Last heartbeat',
                  '纸张 Paper',
                  '模式 Mode',
                  '版本 Versions',
                  '问题 Issues',
                ]}
              />
              <tbody>
                {kiosks.map((k) => (
                  <KioskRow key={k.id} k={k} now={now} />
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
      {shown.matched > shown.kiosks.length ? (
        <button type="button" class="secondary more" onClick={() => setLimit(limit + 1000)}>
          显示更多 Show more ({shown.matched - shown.kiosks.length})
        </button>
      ) : null}
    </section>
  );
}
