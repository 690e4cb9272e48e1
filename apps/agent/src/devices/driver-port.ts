/**
 * How a Transport-backed driver (ID card reader, gas card reader, scanner) holds its port: it
 * listens to the port's data, open and close events from start to stop, and the statuses it shows
 * when the port cannot open or closes under it read the same for every device. What the driver does
 * on open and close (probe, poll, reset its parser) stays the driver's own.
 */
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import type { Transport } from '@kiosk/transport';

/** A driver's handlers of its port's events (the same function objects from start to stop). */
export interface PortListeners {
  data(chunk: Buffer): void;
  open(): void;
  close(error?: Error): void;
}

export function listenToPort(transport: Transport, listeners: PortListeners): void {
  transport.on('data', listeners.data);
  transport.on('open', listeners.open);
  transport.on('close', listeners.close);
}

/**
 * Listens to the port and opens it. Resolves with the error when it cannot open now (a
 * ReconnectingTransport keeps trying and says 'open' when it manages), else with null.
 */
export async function listenAndOpen(transport: Transport, listeners: PortListeners): Promise<Error | null> {
  listenToPort(transport, listeners);
  try {
    await transport.open();
    return null;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * A receive-side driver's start: says it is opening the port, listens and opens it. A port that
 * does not open before it ever did means no device yet; a ReconnectingTransport keeps trying and
 * its 'open' brings the driver online.
 */
export async function startOnPort(
  transport: Transport,
  listeners: PortListeners,
  show: (status: DeviceStatus) => void,
  everOpened: () => boolean,
): Promise<void> {
  show(openingStatus(transport));
  const failed = await listenAndOpen(transport, listeners);
  if (failed && !everOpened()) show(cannotOpenStatus(transport, failed));
}

/** Stops listening and closes the port; a failing close is ignored (the driver is stopping either way). */
export async function releasePort(transport: Transport, listeners: PortListeners): Promise<void> {
  transport.off('data', listeners.data);
  transport.off('open', listeners.open);
  transport.off('close', listeners.close);
  await transport.close().catch(() => undefined);
}

/** While the port is being opened at start. */
export function openingStatus(transport: Transport): DeviceStatus {
  return { device: 'starting', detail: `opening ${transport.description}` };
}

/** The port did not open: no device yet, or (`offline`) a device that was there before. */
export function cannotOpenStatus(transport: Transport, error: Error, device: 'noDevice' | 'offline' = 'noDevice'): DeviceStatus {
  return { device, action: 'maintenance', detail: `cannot open ${transport.description}: ${error.message}` };
}

/** The port closed under a running driver (unplugged, or the far end went away): offline until it is back. */
export function portClosedStatus(what: string, error: Error | undefined): DeviceStatus {
  return {
    device: 'offline',
    action: 'maintenance',
    detail: error ? `${what} disconnected: ${error.message}` : `${what} port closed`,
  };
}
