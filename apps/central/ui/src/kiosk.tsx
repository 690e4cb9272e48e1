import { useState } from 'preact/hooks';
import { api, ApiError, type Alert } from './api.js';
import { HistoryCharts } from './history.js';
import {
  ColumnHeads,
  ConfirmDialog,
  ErrorLine,
  PausedServices,
  SeverityBadge,
  StateBadge,
  usePoll,
  useSession,
} from './common.js';
import {
  actionLabel,
  commandLabel,
  commandStatusLabel,
  deviceLabel,
  deviceStateLabel,
  formatAgo,
  formatBytes,
  formatDuration,
  formatTime,
  modeLabel,
  paperLabel,
  stateLabel,
} from './labels.js';

interface PendingCommand {
  kind: string;
  needsMessage: boolean;
  danger: boolean;
}

const commandButtons: PendingCommand[] = [
  { kind: 'set-out-of-service', needsMessage: true, danger: true },
  { kind: 'set-in-service', needsMessage: false, danger: false },
  { kind: 'restart-ui', needsMessage: false, danger: true },
  { kind: 'screenshot', needsMessage: false, danger: false },
  { kind: 'printer-test-page', needsMessage: false, danger: false },
  { kind: 'reload-config', needsMessage: false, danger: false },
];

const defaultOutOfService =
  '本机暂停服务，请使用其他自助终端或到窗口办理。This kiosk is out of service; please use another kiosk or a service window.';

export function AckButton({ alert, onDone }: { alert: Alert; onDone(): void }) {
  const { user } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (user.role !== 'operator' || alert.resolvedAt !== null) return null;
  if (alert.ackedAt !== null) return <span class="muted">已确认 Acknowledged ({alert.ackedBy})</span>;
  return (
    <>
      <button type="button" class="small" data-ack={alert.id} onClick={() => setConfirming(true)}>
        确认 Acknowledge
      </button>
      <ErrorLine error={error} />
      {confirming ? (
        <ConfirmDialog
          title="确认告警 Acknowledge alert"
          confirmLabel="确认 Acknowledge"
          busy={busy}
          onCancel={() => setConfirming(false)}
          onConfirm={async () => {
            setBusy(true);
            try {
              await api.ackAlert(alert.id);
              setConfirming(false);
              onDone();
            } catch (err) {
              setError(err instanceof Error ? err.message : String(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <p>
            {alert.kioskId}: {alert.message}
          </p>
          <p class="muted">
            {alert.source === 'heartbeat'
              ? '心跳告警在故障恢复后自动关闭；确认表示已知悉。Heartbeat alerts close by themselves once fixed; acknowledging marks it seen.'
              : '确认后此告警关闭。Acknowledging closes this alert.'}
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function Commands({ kioskId, reload }: { kioskId: string; reload(): void }) {
  const { user } = useSession();
  const [pending, setPending] = useState<PendingCommand | null>(null);
  const [message, setMessage] = useState(defaultOutOfService);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (user.role !== 'operator') return <p class="muted">只读账号不能下发命令 Viewers cannot send commands.</p>;
  return (
    <div class="commands">
      {commandButtons.map((c) => (
        <button
          type="button"
          key={c.kind}
          data-command={c.kind}
          class={c.danger ? 'danger-outline' : ''}
          onClick={() => setPending(c)}
        >
          {commandLabel[c.kind]}
        </button>
      ))}
      <ErrorLine error={error} />
      {pending ? (
        <ConfirmDialog
          title={`${commandLabel[pending.kind]} — ${kioskId}`}
          confirmLabel="确认下发 Send command"
          danger={pending.danger}
          busy={busy}
          onCancel={() => setPending(null)}
          onConfirm={async () => {
            setBusy(true);
            setError(null);
            try {
              await api.command(kioskId, pending.kind, pending.needsMessage ? message.trim() : undefined);
              setPending(null);
              reload();
            } catch (err) {
              setError(err instanceof ApiError ? err.message : String(err));
              setPending(null);
            } finally {
              setBusy(false);
            }
          }}
        >
          <p>命令在终端下次心跳时送达；交易付款等资金步骤进行中时会等待其结束。</p>
          <p class="muted">
            The kiosk picks the command up with its next heartbeat; it waits while a citizen is in a payment step.
          </p>
          {pending.needsMessage ? (
            <label class="field">
              屏幕提示 Message on screen
              <textarea
                maxLength={200}
                rows={3}
                value={message}
                onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
              />
            </label>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

export function KioskView({ id }: { id: string }) {
  const { data, error, reload } = usePoll(() => api.kiosk(id), 2000, `kiosk:${id}`);
  if (!data) return <p class="loading">{error ? <ErrorLine error={error} /> : '加载中… Loading…'}</p>;
  const k = data.kiosk;
  const hb = k.heartbeat;
  const now = Date.now();
  const shot = k.screenshots[0];
  return (
    <section class="detail" data-kiosk-detail={k.id}>
      <p>
        <a href="#/">← 返回终端列表 Back to fleet</a>
      </p>
      <header class="detail-head">
        <h1>
          {k.id} {k.name ? <span class="muted">{k.name}</span> : null}
        </h1>
        <StateBadge state={k.state} />
        <span class="muted">
          自 Since {formatTime(k.stateSince)} · {k.site}
        </span>
      </header>
      <ErrorLine error={error} />

      <div class="cards">
        <dl class="facts card">
          <dt>最后心跳 Last heartbeat</dt>
          <dd>
            {formatAgo(k.lastSeenAt, now)} <span class="muted">({formatTime(k.lastSeenAt)})</span>
          </dd>
          <dt>模式 Mode</dt>
          <dd data-testid="mode">
            {k.mode ? (modeLabel[k.mode] ?? k.mode) : '—'}
            {k.modeMessage ? <div class="muted">“{k.modeMessage}”</div> : null}
            <PausedServices services={k.services} />
          </dd>
          <dt>纸张 Paper</dt>
          <dd>{k.paper ? (paperLabel[k.paper] ?? k.paper) : '—'}</dd>
          <dt>版本 Versions</dt>
          <dd class="mono">
            {hb ? `agent ${hb.versions.agent} · UI ${hb.versions.ui ?? '—'} · config ${hb.configHash.slice(0, 8)}` : '—'}
          </dd>
          <dt>界面 UI</dt>
          <dd>{hb ? (hb.ui.alive ? '正常 Responding' : '无响应 Not responding') : '—'}</dd>
          <dt>运行时间 Uptime</dt>
          <dd>{hb ? formatDuration(hb.system.uptimeSeconds) : '—'}</dd>
          <dt>磁盘 / 内存 Disk / memory free</dt>
          <dd>{hb ? `${formatBytes(hb.system.diskFreeBytes)} / ${formatBytes(hb.system.memoryFreeBytes)}` : '—'}</dd>
          <dt>待上报事件 Queued events</dt>
          <dd>{hb ? hb.outbox.depth : '—'}</dd>
          <dt>燃气待写卡 Gas pending credit</dt>
          <dd>{hb ? `${hb.gas.creditPending}（需处理 needs attention ${hb.gas.needsAttention}）` : '—'}</dd>
          <dt>累计业务 Transactions</dt>
          <dd>
            {k.totals.transactions}（失败 failed {k.totals.transactionsFailed}） · 会话 sessions {k.totals.sessionsStarted}
          </dd>
        </dl>

        <div class="card">
          <h2>设备 Devices</h2>
          {hb ? (
            <table class="devices">
              <tbody>
                {Object.entries(hb.devices).map(([name, d]) => (
                  <tr key={name} class={d.device === 'online' ? '' : 'bad'}>
                    <th>{deviceLabel[name] ?? name}</th>
                    <td>{deviceStateLabel[d.device] ?? d.device}</td>
                    <td>
                      {d.paper ? (paperLabel[d.paper] ?? d.paper) : ''}{' '}
                      {d.action ? <span class="muted">{actionLabel[d.action] ?? d.action}</span> : null}
                      {d.detail ? <div class="muted">{d.detail}</div> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">尚无心跳 No heartbeat yet</p>
          )}
        </div>
      </div>

      <div class="card">
        <h2>远程命令 Remote commands</h2>
        <Commands kioskId={k.id} reload={reload} />
        {k.commands.length ? (
          <table class="list" data-testid="commands">
            <ColumnHeads columns={['命令 Command', '状态 Status', '下发人 By', '时间 Issued', '结果 Result']} />
            <tbody>
              {k.commands.map((c) => (
                <tr key={c.id} data-command-id={c.id} data-status={c.status}>
                  <td>
                    {commandLabel[c.kind] ?? c.kind}
                    {c.message ? <div class="muted">“{c.message}”</div> : null}
                  </td>
                  <td class={`cmd-${c.status}`}>{commandStatusLabel[c.status]}</td>
                  <td>{c.issuedBy}</td>
                  <td>{formatTime(c.issuedAt)}</td>
                  <td>
                    {c.detail ?? ''}
                    {c.screenshotId ? (
                      <a href={`/api/v1/screenshots/${c.screenshotId}`} target="_blank" rel="noreferrer">
                        {' '}
                        查看截屏 View
                      </a>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </div>

      {shot ? (
        <div class="card">
          <h2>
            最新截屏 Latest screenshot <span class="muted">{formatTime(shot.at)}</span>
          </h2>
          <img
            class="screenshot"
            src={`/api/v1/screenshots/${shot.id}`}
            alt={`${k.id} 屏幕截图 screenshot ${formatTime(shot.at)}`}
          />
        </div>
      ) : null}

      <div class="card">
        <h2>告警 Alerts</h2>
        {k.alerts.length ? (
          <table class="list">
            <tbody>
              {k.alerts.map((a) => (
                <tr key={a.id} class={a.resolvedAt === null ? '' : 'resolved'}>
                  <td>
                    <SeverityBadge severity={a.severity} />
                  </td>
                  <td>
                    {a.message}
                    {a.occurrences > 1 ? <span class="muted"> ×{a.occurrences}</span> : null}
                  </td>
                  <td>{formatTime(a.openedAt)}</td>
                  <td>{a.resolvedAt === null ? '未关闭 Open' : `已关闭 Closed ${formatTime(a.resolvedAt)}`}</td>
                  <td>{a.resolvedAt === null ? <AckButton alert={a} onDone={reload} /> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">无告警 No alerts</p>
        )}
      </div>

      <div class="cards">
        <div class="card">
          <h2>最近事件 Recent events</h2>
          {k.events.length ? (
            <ul class="events">
              {k.events.map((e) => (
                <li key={e.seq}>
                  <span class="mono">{formatTime(Date.parse(e.at))}</span> <b>{e.type}</b>{' '}
                  <span class="muted mono">{JSON.stringify(e.payload).slice(0, 160)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">无 None</p>
          )}
        </div>
        <div class="card">
          <h2>状态变化 State changes</h2>
          <ul class="events">
            {k.stateChanges.map((s, i) => (
              <li key={i}>
                <span class="mono">{formatTime(s.at)}</span> {s.from ? stateLabel[s.from as keyof typeof stateLabel] : '—'} →{' '}
                {stateLabel[s.to as keyof typeof stateLabel]}
              </li>
            ))}
          </ul>
        </div>
      </div>

      <HistoryCharts kind="kiosk" id={k.id} />
    </section>
  );
}
