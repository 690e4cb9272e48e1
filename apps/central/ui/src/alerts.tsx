import { useState } from 'preact/hooks';
import { api } from './api.js';
import { ColumnHeads, ErrorLine, ListToolbar, SeverityBadge, StateBadge, usePoll } from './common.js';
import { AckButton } from './kiosk.js';
import { formatAgo, formatTime, modeLabel } from './labels.js';

export function AlertsView() {
  const [all, setAll] = useState(false);
  const { data, error, reload } = usePoll(() => api.alerts(all), 5000, `alerts:${all}`);
  return (
    <section>
      <ListToolbar
        level={1}
        title={all ? '最近告警 Recent alerts' : '未关闭告警 Open alerts'}
        all={all}
        onAll={setAll}
        allLabel="包括已关闭 Include closed"
      />
      <ErrorLine error={error} />
      {!data ? (
        <p class="loading">加载中… Loading…</p>
      ) : data.alerts.length === 0 ? (
        <p class="muted">没有告警 No alerts</p>
      ) : (
        <table class="list alerts">
          <ColumnHeads columns={['级别 Severity', '终端 Kiosk', '内容 Alert', '开始 Opened', '状态 State', '']} />
          <tbody>
            {data.alerts.map((a) => (
              <tr key={a.id} data-alert={a.code} class={a.resolvedAt === null ? '' : 'resolved'}>
                <td data-label="级别 Severity">
                  <SeverityBadge severity={a.severity} />
                </td>
                <td data-label="终端 Kiosk">
                  <a href={`#/kiosk/${encodeURIComponent(a.kioskId)}`}>{a.kioskId}</a>
                  <div class="muted">{a.site}</div>
                </td>
                <td data-label="内容 Alert">
                  {a.message}
                  {a.occurrences > 1 ? <span class="muted"> ×{a.occurrences}</span> : null}
                  <div class="muted">
                    {a.source === 'event'
                      ? '需人工确认 Needs acknowledgement'
                      : a.source === 'central'
                        ? '中心判定 Central'
                        : '随心跳自动恢复 Clears itself'}
                    {a.suppressed ? ' · 通知已抑制 Notifications held (flapping)' : ''}
                  </div>
                </td>
                <td data-label="开始 Opened" title={formatTime(a.openedAt)}>
                  {formatAgo(a.openedAt)}
                </td>
                <td data-label="状态 State">
                  {a.resolvedAt === null ? '未关闭 Open' : `已关闭 Closed ${formatTime(a.resolvedAt)}`}
                  {a.ackedBy ? <div class="muted">确认人 by {a.ackedBy}</div> : null}
                </td>
                <td>{a.resolvedAt === null ? <AckButton alert={a} onDone={reload} /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function NotSeenView() {
  // null: the server's configured default, which then fills the input.
  const [chosen, setChosen] = useState<number | null>(null);
  const { data, error } = usePoll(() => api.notSeen(chosen), 30_000, `notseen:${chosen}`);
  const days = chosen ?? data?.days ?? 0;
  return (
    <section>
      <div class="toolbar">
        <h1>长期未上线 Not seen</h1>
        <label class="inline">
          超过 More than
          <input
            type="number"
            min={0}
            max={3650}
            value={days}
            class="days"
            aria-label="天数 Days"
            onChange={(e) => setChosen(Math.max(0, Number((e.target as HTMLInputElement).value) || 0))}
          />
          天 days
        </label>
      </div>
      <ErrorLine error={error} />
      {!data ? (
        <p class="loading">加载中… Loading…</p>
      ) : data.kiosks.length === 0 ? (
        <p class="muted">
          所有终端都在 {days} 天内上线过 Every kiosk was seen within {days} days
        </p>
      ) : (
        <table class="list">
          <ColumnHeads columns={['终端 Kiosk', '站点 Site', '最后心跳 Last heartbeat', '状态 State', '模式 Mode']} />
          <tbody>
            {data.kiosks.map((k) => (
              <tr key={k.id}>
                <td data-label="终端 Kiosk">
                  <a href={`#/kiosk/${encodeURIComponent(k.id)}`}>{k.id}</a> <span class="muted">{k.name}</span>
                </td>
                <td data-label="站点 Site">{k.site}</td>
                <td data-label="最后心跳 Last heartbeat">
                  {formatAgo(k.lastSeenAt)} <span class="muted">{k.lastSeenAt ? formatTime(k.lastSeenAt) : ''}</span>
                </td>
                <td data-label="状态 State">
                  <StateBadge state={k.state} />
                </td>
                <td data-label="模式 Mode">{k.mode ? (modeLabel[k.mode] ?? k.mode) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
