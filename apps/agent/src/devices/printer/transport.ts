import { resolvePath } from '@kiosk/kiosk-config';
import type { TransportConfig } from '@kiosk/kiosk-config';
import { LpTransport } from '@kiosk/transport';
import { ReconnectingTransport } from '@kiosk/transport';
import { SerialTransport } from '@kiosk/transport';
import { TcpTransport } from '@kiosk/transport';
import type { Transport } from '@kiosk/transport';

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
