import { useState } from 'preact/hooks';
import { api, type ChartSeries } from './api.js';
import { BarChart, PercentChart } from './charts.js';
import { ErrorLine, usePoll } from './common.js';
import { deviceLabel, serviceLabel } from './labels.js';

const sum = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0);
const pct = (v: number | null): string => (v === null ? '无数据 no data' : `${(v * 100).toFixed(1)}%`);

function Charts({ s, days }: { s: ChartSeries; days: number }) {
  const services = s.transactions.byService.map((b) => ({
    name: b.item ? (serviceLabel[b.item] ?? b.item) : '业务 Services',
    values: b.perDay,
  }));
  const devices = s.faults.byDevice.map((b) => ({ name: deviceLabel[b.item] ?? b.item, values: b.perDay }));
  const span = `近 ${days} 天 last ${days} days`;
  return (
    <div class="charts">
      <PercentChart
        title={`可用率 Availability — ${span}`}
        days={s.days}
        values={s.availability}
        summary={`整体可用率 Overall ${pct(s.availabilityOverall)}; 最低 lowest ${pct(
          s.availability.reduce<number | null>((m, v) => (v === null ? m : m === null ? v : Math.min(m, v)), null),
        )}`}
      />
      <BarChart
        title={`每日业务量 Transactions per day — ${span}`}
        days={s.days}
        series={services.length ? services : [{ name: '业务 Services', values: s.transactions.total }]}
        unit="笔 transactions"
        summary={`共 ${sum(s.transactions.total)} 笔，失败 ${sum(s.transactions.failed)} 笔 Total ${sum(s.transactions.total)}, failed ${sum(s.transactions.failed)}`}
      />
      <BarChart
        title={`换纸次数 Paper changes — ${span}`}
        days={s.days}
        series={[{ name: '换纸 Paper changes', values: s.paper.changes }]}
        unit="次 times"
        summary={`共换纸 ${sum(s.paper.changes)} 次 ${sum(s.paper.changes)} paper changes`}
      />
      <BarChart
        title={`缺纸时长 Paper-out time — ${span}`}
        days={s.days}
        series={[{ name: '缺纸 Paper out', values: s.paper.outMinutes }]}
        unit="分钟 minutes"
        summary={`共缺纸 ${sum(s.paper.outMinutes)} 分钟 ${sum(s.paper.outMinutes)} minutes without paper`}
      />
      <BarChart
        title={`设备故障次数 Device faults — ${span}`}
        days={s.days}
        series={devices.length ? devices : [{ name: '故障 Faults', values: s.faults.total }]}
        unit="次 faults"
        summary={`共 ${sum(s.faults.total)} 次故障 ${sum(s.faults.total)} faults${devices.length ? `: ${devices.map((d) => `${d.name} ${sum(d.values)}`).join(', ')}` : ''}`}
      />
    </div>
  );
}

/** History charts of one kiosk or one site, 7 or 30 days. Refreshed every minute. */
export function HistoryCharts({ kind, id }: { kind: 'kiosk' | 'site'; id: string }) {
  const [days, setDays] = useState<7 | 30>(7);
  const { data, error } = usePoll(
    () => (kind === 'kiosk' ? api.kioskCharts(id, days) : api.siteCharts(id, days)),
    60_000,
    `charts:${kind}:${id}:${days}`,
  );
  return (
    <div class="card history" data-history={kind}>
      <h2>
        运行历史 History
        <span class="range" role="group" aria-label="时间范围 Range">
          {([7, 30] as const).map((d) => (
            <button
              type="button"
              key={d}
              class={days === d ? 'small chip active' : 'small chip'}
              aria-pressed={days === d}
              onClick={() => setDays(d)}
            >
              {d} 天 days
            </button>
          ))}
        </span>
      </h2>
      <ErrorLine error={error} />
      {data ? <Charts s={data.series} days={days} /> : <p class="loading">加载中… Loading…</p>}
    </div>
  );
}

/** One site: its history charts (route #/site/<name>). */
export function SiteView({ site }: { site: string }) {
  return (
    <section class="detail" data-site-detail={site}>
      <p>
        <a href="#/">← 返回终端列表 Back to fleet</a>
      </p>
      <h1>{site}</h1>
      <HistoryCharts kind="site" id={site} />
    </section>
  );
}
