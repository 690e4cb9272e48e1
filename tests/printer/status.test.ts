import { describe, expect, it } from 'vitest';
import {
  StatusByteError,
  StatusStreamParser,
  decodeAsb,
  decodeErrorCause,
  decodeOfflineCause,
  decodePaperSensor,
  decodePaperStatusReply,
  decodePrinterStatus,
  isRealtimeReply,
  summarizeStatus,
} from '@kiosk/protocol-escpos';
import { toDeviceStatus } from '../../apps/agent/src/devices/printer/driver.js';

const none = { drawerPin3High: false, offline: false, waitingForOnlineRecovery: false, feedButtonPressed: false };

describe('DLE EOT replies, bit by bit (reference §1.7)', () => {
  it('fixed bits: 0xx1xx10', () => {
    expect(isRealtimeReply(0x12)).toBe(true);
    expect(isRealtimeReply(0x7e)).toBe(true);
    for (const bad of [0x00, 0x10, 0x11, 0x13, 0x02, 0x92, 0x16 | 0x80, 0x03]) expect(isRealtimeReply(bad)).toBe(false);
    for (const f of [decodePrinterStatus, decodeOfflineCause, decodeErrorCause, decodePaperSensor]) {
      expect(() => f(0x10)).toThrow(StatusByteError);
      expect(() => f(0x13)).toThrow(StatusByteError);
    }
  });

  it('n=1 printer status: b2 drawer pin 3, b3 offline, b5 waiting for recovery, b6 FEED button', () => {
    expect(decodePrinterStatus(0x12)).toEqual(none);
    expect(decodePrinterStatus(0x16)).toEqual({ ...none, drawerPin3High: true });
    expect(decodePrinterStatus(0x1a)).toEqual({ ...none, offline: true });
    expect(decodePrinterStatus(0x32)).toEqual({ ...none, waitingForOnlineRecovery: true });
    expect(decodePrinterStatus(0x52)).toEqual({ ...none, feedButtonPressed: true });
  });

  it('n=2 offline cause: b2 cover, b3 FEED feeding, b5 paper-end stop, b6 error', () => {
    const z = { coverOpen: false, paperFeedByButton: false, paperEndStop: false, errorOccurred: false };
    expect(decodeOfflineCause(0x12)).toEqual(z);
    expect(decodeOfflineCause(0x16)).toEqual({ ...z, coverOpen: true });
    expect(decodeOfflineCause(0x1a)).toEqual({ ...z, paperFeedByButton: true });
    expect(decodeOfflineCause(0x32)).toEqual({ ...z, paperEndStop: true });
    expect(decodeOfflineCause(0x52)).toEqual({ ...z, errorOccurred: true });
  });

  it('n=3 error cause: b2 recoverable, b3 autocutter, b5 unrecoverable, b6 auto-recoverable', () => {
    const z = { recoverableError: false, autocutterError: false, unrecoverableError: false, autoRecoverableError: false };
    expect(decodeErrorCause(0x12)).toEqual(z);
    expect(decodeErrorCause(0x16)).toEqual({ ...z, recoverableError: true });
    expect(decodeErrorCause(0x1a)).toEqual({ ...z, autocutterError: true });
    expect(decodeErrorCause(0x32)).toEqual({ ...z, unrecoverableError: true });
    expect(decodeErrorCause(0x52)).toEqual({ ...z, autoRecoverableError: true });
  });

  it('n=4 paper sensor: b2+b3 near end, b5+b6 paper end (either bit counts)', () => {
    expect(decodePaperSensor(0x12)).toEqual({ nearEnd: false, paperEnd: false });
    expect(decodePaperSensor(0x1e)).toEqual({ nearEnd: true, paperEnd: false });
    expect(decodePaperSensor(0x16)).toEqual({ nearEnd: true, paperEnd: false });
    expect(decodePaperSensor(0x1a)).toEqual({ nearEnd: true, paperEnd: false });
    expect(decodePaperSensor(0x72)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperSensor(0x32)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperSensor(0x52)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperSensor(0x7e)).toEqual({ nearEnd: true, paperEnd: true });
  });

  it('the reference out-of-paper example: 1A / 32 / 7E', () => {
    const s = summarizeStatus({ 1: 0x1a, 2: 0x32, 3: 0x12, 4: 0x7e });
    expect(s).toMatchObject({ online: false, replied: true, paper: 'out', notReady: 'paperOut' });
    expect(toDeviceStatus(s)).toMatchObject({ device: 'userError', paper: 'out', action: 'clear' });
  });

  it('summaries: healthy, near end, missing replies, precedence', () => {
    const ok = summarizeStatus({ 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12 });
    expect(ok).toMatchObject({ online: true, paper: 'full' });
    expect(ok.notReady).toBeUndefined();
    expect(toDeviceStatus(ok)).toMatchObject({ device: 'online', paper: 'full' });
    expect(toDeviceStatus(ok).action).toBeUndefined();

    const low = summarizeStatus({ 1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1e });
    expect(low).toMatchObject({ online: true, paper: 'low' });
    expect(low.notReady).toBeUndefined();

    const silent = summarizeStatus({});
    expect(silent).toMatchObject({ online: false, replied: false, paper: 'unknown', notReady: 'noReply' });
    expect(toDeviceStatus(silent)).toMatchObject({ device: 'offline', paper: 'unknown' });

    const partial = summarizeStatus({ 1: 0x12, 2: 0x12 });
    expect(partial).toMatchObject({ online: false, notReady: 'noReply', paper: 'unknown' });

    const garbage = summarizeStatus({ 1: 0x00, 2: 0x12, 3: 0x12, 4: 0x12 });
    expect(garbage.notReady).toBe('noReply');

    const coverAndPaper = summarizeStatus({ 1: 0x1a, 2: 0x36, 3: 0x12, 4: 0x7e });
    expect(coverAndPaper.notReady).toBe('coverOpen');

    const cutter = summarizeStatus({ 1: 0x1a, 2: 0x52, 3: 0x1a, 4: 0x12 });
    expect(cutter).toMatchObject({ notReady: 'cutterError', cutterError: true });
    expect(toDeviceStatus(cutter)).toMatchObject({ device: 'hardwareError', action: 'maintenance' });

    const unrec = summarizeStatus({ 1: 0x1a, 2: 0x52, 3: 0x32, 4: 0x12 });
    expect(toDeviceStatus(unrec)).toMatchObject({ device: 'hardwareError', action: 'maintenance' });

    const hot = summarizeStatus({ 1: 0x1a, 2: 0x52, 3: 0x52, 4: 0x12 });
    expect(hot.notReady).toBe('autoRecoverableError');

    const offlineOnly = summarizeStatus({ 1: 0x1a, 2: 0x12, 3: 0x12, 4: 0x12 });
    expect(offlineOnly.notReady).toBe('offline');
    expect(toDeviceStatus('noDevice')).toMatchObject({ device: 'noDevice', paper: 'unknown' });
  });
});

describe('ASB and GS r', () => {
  it('ASB byte 1: b2 drawer, b3 offline, b5 cover, b6 FEED feeding', () => {
    const s = decodeAsb([0x10 | 0x04 | 0x08 | 0x20 | 0x40, 0, 0, 0]);
    expect(s).toMatchObject({ drawerPin3High: true, offline: true, coverOpen: true, paperFeedByButton: true });
    expect(decodeAsb([0x10, 0, 0, 0])).toMatchObject({
      drawerPin3High: false,
      offline: false,
      coverOpen: false,
      paperFeedByButton: false,
    });
  });

  it('ASB byte 2: b0 waiting, b1 FEED, b2 recoverable, b3 cutter, b5 unrecoverable, b6 auto-recoverable', () => {
    const each: [number, string][] = [
      [0x01, 'waitingForOnlineRecovery'],
      [0x02, 'feedButtonPressed'],
      [0x04, 'recoverableError'],
      [0x08, 'autocutterError'],
      [0x20, 'unrecoverableError'],
      [0x40, 'autoRecoverableError'],
    ];
    for (const [bit, key] of each) {
      const s = decodeAsb([0x10, bit, 0, 0]) as unknown as Record<string, boolean>;
      expect(s[key], key).toBe(true);
      expect(
        Object.entries(s)
          .filter(([, v]) => v)
          .map(([k]) => k),
      ).toEqual([key]);
    }
  });

  it('ASB byte 3 uses other positions than DLE EOT 4: 0x03 near end, 0x0C paper end', () => {
    expect(decodeAsb([0x10, 0, 0x03, 0])).toMatchObject({ nearEnd: true, paperEnd: false });
    expect(decodeAsb([0x10, 0, 0x0c, 0])).toMatchObject({ nearEnd: false, paperEnd: true });
    expect(() => decodeAsb([0x12, 0, 0, 0])).toThrow(/ASB/);
    expect(decodePaperStatusReply(0x03)).toEqual({ nearEnd: true, paperEnd: false });
    expect(decodePaperStatusReply(0x0f)).toEqual({ nearEnd: true, paperEnd: true });
    expect(decodePaperStatusReply(0x00)).toEqual({ nearEnd: false, paperEnd: false });
  });

  it('splits a mixed return stream in any chunking', () => {
    const stream = [0x12, 0x11, 0x18, 0x00, 0x03, 0x00, 0x13, 0x1a, 0x00, 0x7e];
    for (const cut of [1, 2, 3, 5, 10]) {
      const p = new StatusStreamParser();
      const events = [];
      for (let i = 0; i < stream.length; i += cut) events.push(...p.push(Uint8Array.from(stream.slice(i, i + cut))));
      expect(events.map((e) => e.kind)).toEqual(['realtime', 'flow', 'asb', 'flow', 'realtime', 'other', 'realtime']);
      const asb = events.find((e) => e.kind === 'asb');
      expect(asb && asb.kind === 'asb' && asb.status).toMatchObject({ offline: true, nearEnd: true, paperEnd: false });
    }
  });

  it('a stray byte that looks like an ASB start does not swallow the replies after it', () => {
    const p = new StatusStreamParser();
    // 0x30 = 0xx1xx00, but 0x12 (a DLE EOT reply) cannot be ASB byte 2: 0x30 was stray.
    const events = p.push(Uint8Array.from([0x30, 0x00, 0x12, 0x10, 0x00, 0x0c, 0x00]));
    expect(events.map((e) => [e.kind, 'byte' in e ? e.byte : e.bytes.length])).toEqual([
      ['other', 0x30],
      ['other', 0x00],
      ['realtime', 0x12],
      ['asb', 4],
    ]);
  });
});
