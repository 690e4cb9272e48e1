import { SerialTransport } from '@kiosk/transport';
import { createPtyPair, type PtyPair } from './pty-pair.js';

export interface PtySimulatorOptions {
  agentPath: string;
  devicePath: string;
  baudRate?: number;
}

/**
 * The cable of a serial device simulator, once for all of them (issue 13: each simulator had a
 * copy): start/stop, plug (create the pty pair, open the device end) and unplug (close both: to
 * the agent the device has gone). A simulator says what it does with the bytes (`onData`) and
 * what plugging and unplugging mean to it (the hooks).
 */
export abstract class PtySimulator {
  readonly agentPath: string;
  readonly devicePath: string;
  /** The device end's line speed; a reader may change it on command (SAM baud switch). */
  protected baudRate: number;
  /** The device end while plugged in. */
  protected transport: SerialTransport | undefined;
  private pair: PtyPair | undefined;
  private linked = false;
  private started = false;

  constructor(options: PtySimulatorOptions) {
    this.agentPath = options.agentPath;
    this.devicePath = options.devicePath;
    this.baudRate = options.baudRate ?? 115200;
  }

  /** Bytes from the agent. */
  protected abstract onData(chunk: Buffer): void;
  /** The cable is about to go: stop what is in flight. */
  protected beforeUnplug(): void {}
  /** The cable went: the device loses power. */
  protected afterUnplug(): void {}
  /** The cable is in and the device end open. */
  protected afterPlug(): void {}

  get isConnected(): boolean {
    return this.linked;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.plug();
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.unplug();
  }

  /** Creates the pty pair at the configured paths: the device is plugged in. */
  async plug(): Promise<void> {
    if (this.pair) return;
    const pair = await createPtyPair(this.agentPath, this.devicePath);
    const transport = new SerialTransport({ path: this.devicePath, baudRate: this.baudRate });
    transport.on('data', (chunk) => this.onData(chunk));
    transport.on('close', () => {
      if (this.transport === transport) this.linked = false;
    });
    try {
      await transport.open();
    } catch (err) {
      await pair.close();
      throw err;
    }
    this.pair = pair;
    this.transport = transport;
    this.linked = true;
    this.afterPlug();
  }

  /** Closes the pty pair: to the agent the device has been unplugged. */
  async unplug(): Promise<void> {
    this.beforeUnplug();
    this.linked = false;
    const t = this.transport;
    const p = this.pair;
    this.transport = undefined;
    this.pair = undefined;
    await t?.close().catch(() => undefined);
    await p?.close();
    this.afterUnplug();
  }

  async setConnected(connected: boolean): Promise<void> {
    if (connected) await this.plug();
    else await this.unplug();
  }
}
