/** zh-CN first, English second: operations staff read Chinese. */

import type { Command, FleetState } from './api.js';

export const stateLabel: Record<FleetState, string> = {
  online: '在线 Online',
  warning: '告警 Warning',
  error: '故障 Error',
  offline: '离线 Offline',
};

export const modeLabel: Record<string, string> = {
  'in-service': '服务中 In service',
  'out-of-service': '暂停服务 Out of service',
  maintenance: '维护 Maintenance',
  assisted: '导办模式 Assisted',
};

export const serviceLabel: Record<string, string> = {
  property: '不动产查询 Property',
  gas: '燃气充值 Gas',
  tax: '完税凭证 Tax',
  social: '社保凭单 Social insurance',
  licence: '电子证照打印 Licences',
};

export const reasonLabel: Record<string, string> = {
  idcardDown: '身份证阅读器故障 ID reader down',
  printerDown: '打印机故障 printer down',
  paperOut: '缺纸 paper out',
  paperJammed: '卡纸 paper jammed',
  cameraDown: '摄像头故障 camera down',
  upstreamDown: '业务系统不可用 back end down',
  disabled: '未开通 disabled',
};

export const paperLabel: Record<string, string> = {
  full: '充足 Full',
  low: '将尽 Low',
  out: '缺纸 Out',
  jammed: '卡纸 Jammed',
  unknown: '未知 Unknown',
};

export const deviceLabel: Record<string, string> = {
  idcard: '身份证阅读器 ID card reader',
  printer: '打印机 Printer',
  camera: '摄像头 Camera',
  gascard: '燃气卡读写器 Gas card',
  scanner: '扫码器 Scanner',
};

export const deviceStateLabel: Record<string, string> = {
  online: '正常 Online',
  offline: '离线 Offline',
  noDevice: '未连接 No device',
  hardwareError: '硬件故障 Hardware error',
  userError: '需现场处理 Needs attention',
  deviceBusy: '忙 Busy',
  starting: '启动中 Starting',
};

export const actionLabel: Record<string, string> = {
  clear: '导办人员可处理 Staff can fix',
  maintenance: '需工程师 Engineer needed',
  reset: '需复位 Reset',
  suspend: '自动恢复中 Recovering',
};

export const commandLabel: Record<string, string> = {
  'set-out-of-service': '暂停服务 Out of service',
  'set-in-service': '恢复服务 Back in service',
  'restart-ui': '重启界面 Restart UI',
  screenshot: '截屏 Screenshot',
  'printer-test-page': '打印测试页 Printer test page',
  'reload-config': '重新加载配置 Reload config',
};

export const commandStatusLabel: Record<Command['status'], string> = {
  queued: '排队中 Queued',
  delivered: '已下发 Delivered',
  waiting: '等待交易结束 Waiting for transaction',
  running: '执行中 Running',
  succeeded: '已完成 Done',
  failed: '失败 Failed',
  expired: '已过期 Expired',
};

const pad = (n: number): string => String(n).padStart(2, '0');

export function formatTime(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatAgo(ms: number | null, now = Date.now()): string {
  if (ms === null) return '从未 Never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} 秒前 ${s}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} 分钟前 ${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} 小时前 ${h} h ago`;
  const d = Math.round(h / 24);
  return `${d} 天前 ${d} days ago`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  return `${Math.round(n / 1024 ** 2)} MB`;
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}天${h}小时 ${d}d ${h}h` : `${h}小时${m}分 ${h}h ${m}m`;
}
