import { resolvePath } from '../../config/load.js';
import type { TransportConfig } from '../../config/schema.js';
import { LpTransport } from '../../transport/lp.js';
import { ReconnectingTransport } from '../../transport/reconnecting.js';
import { SerialTransport } from '../../transport/serial.js';
import { TcpTransport } from '../../transport/tcp.js';
import type { Transport } from '../../transport/transport.js';

/** The bare transport for a printer config (serial, USB printer file, raw TCP). */
export function createRawPrinterTransport(config: TransportConfig): Transport {
  switch (config.kind) {
    case 'serial':
      return new SerialTransport({ path: resolvePath(config.path), baudRate: config.baudRate });
    case 'lp':
      return new LpTransport({ path: resolvePath(config.path) });
    case 'tcp':
      return new TcpTransport({ host: config.host, port: config.port });
    case 'hid':
      throw new Error('printer transport "hid" is not supported; use serial, lp (/dev/usb/lpN) or tcp (port 9100)');
  }
}

/** Same, kept open across unplug/replug with backoff. */
export function createPrinterTransport(config: TransportConfig): Transport {
  return new ReconnectingTransport(createRawPrinterTransport(config));
}
