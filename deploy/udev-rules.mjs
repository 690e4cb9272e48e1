#!/usr/bin/env node
// Prints the udev rules that give the kiosk's USB devices stable names, from `deploy.usb` in a
// kiosk config: `node deploy/udev-rules.mjs /etc/kiosk/kiosk.json`. Used by scripts/install-kiosk.sh;
// plain JavaScript so the installer needs no TypeScript loader. The config is validated first
// (`kiosk config check`), so this only reads it.
import { readFileSync } from 'node:fs';

/** Group that may open the node: serial readers are dialout, printers lp, HID readers plugdev. */
const groupOf = { tty: 'dialout', usbmisc: 'lp', hidraw: 'plugdev' };

export function udevRules(config) {
  const usb = config?.deploy?.usb ?? {};
  const lines = ['# Written by scripts/install-kiosk.sh from deploy.usb in /etc/kiosk/kiosk.json; do not edit.'];
  for (const name of ['idcard', 'printer', 'gascard', 'scanner']) {
    const d = usb[name];
    if (!d) continue;
    const subsystem = d.subsystem ?? 'tty';
    const match = [
      `SUBSYSTEM=="${subsystem}"`,
      `ATTRS{idVendor}=="${d.vendorId}"`,
      `ATTRS{idProduct}=="${d.productId}"`,
      ...(d.serial ? [`ATTRS{serial}=="${d.serial}"`] : []),
    ];
    // TAG+="systemd" makes a .device unit so the agent's unit can order after it if wanted.
    lines.push(`${match.join(', ')}, SYMLINK+="kiosk-${name}", GROUP="${groupOf[subsystem]}", MODE="0660", TAG+="systemd"`);
  }
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node deploy/udev-rules.mjs CONFIG.json\n');
    process.exit(2);
  }
  process.stdout.write(udevRules(JSON.parse(readFileSync(file, 'utf8'))));
}
