import type { HeartbeatSender } from './heartbeat.js';

/** What other modules (session, gas, staff, self-care) may use of the monitor. */
export interface MonitorApi {
  sender: HeartbeatSender;
  /** When the UI last sent Kiosk.Ping (epoch ms), null before the first (the browser watchdog uses it). */
  lastPingAt(): number | null;
  /** The browser watchdog's restarts, carried in each heartbeat's `ui`. */
  setBrowserRestarts(info: { restartsLastHour: number; last: { at: string; reason: string } | null }): void;
}
