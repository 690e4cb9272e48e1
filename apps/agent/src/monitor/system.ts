import { statfsSync } from 'node:fs';
import { freemem, totalmem, uptime } from 'node:os';

export interface SystemFigures {
  uptimeSeconds: number;
  hostUptimeSeconds: number;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
  memoryRssBytes: number;
  memoryFreeBytes: number;
  memoryTotalBytes: number;
}

/** Disk (of the file system holding `dataDir`), memory and uptime; cheap enough for every beat. */
export function readSystem(dataDir: string): SystemFigures {
  let diskFreeBytes: number | null = null;
  let diskTotalBytes: number | null = null;
  try {
    const s = statfsSync(dataDir);
    diskFreeBytes = s.bavail * s.bsize;
    diskTotalBytes = s.blocks * s.bsize;
  } catch {
    // A missing data dir is reported as unknown disk space, not a failed heartbeat.
  }
  return {
    uptimeSeconds: Math.round(process.uptime()),
    hostUptimeSeconds: Math.round(uptime()),
    diskFreeBytes,
    diskTotalBytes,
    memoryRssBytes: process.memoryUsage.rss(),
    memoryFreeBytes: freemem(),
    memoryTotalBytes: totalmem(),
  };
}
