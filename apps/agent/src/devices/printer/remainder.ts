import { EscPosEncoder } from '@kiosk/protocol-escpos';
import { profileColumns, type PrinterProfile } from './profiles/index.js';

/**
 * What the driver does about the part of an interrupted slip that a printer may still hold.
 * Real printers keep several KB in their receive buffer while the paper is out and print it
 * right after the refill, to whoever stands there. Either the printer confirms it dropped it
 * (DLE DC4 fn=8 answered 37 25 00: `cleared`), or the driver follows it — before anything else is
 * printed — with a VOID mark and the cut, on the same piece of paper (`voidMarked`). The job is
 * sent so that this remainder never holds its own cut (PrinterLink.sendJob), so it cannot come
 * out as a slip of its own.
 */
export type Remainder = 'cleared' | 'voidMarked';

/** ESC @ (drops a half line and styles the remainder left behind), the VOID mark, the cut. */
export function voidMarkBytes(profile: PrinterProfile): Uint8Array {
  const cols = profileColumns(profile);
  const enc = new EscPosEncoder().init().feed(1).align('center');
  enc.line('*'.repeat(cols));
  enc.bold(true).size(2, 2).line('作废  VOID').size(1, 1);
  enc.line('以上为中断的小票，无效');
  enc.line('The slip above was interrupted.');
  enc.line('It is void - do not use it.');
  enc.bold(false).line('*'.repeat(cols)).align('left');
  if (profile.feedLinesBeforeCut > 0) enc.feed(profile.feedLinesBeforeCut);
  if (profile.cutter === 'none') enc.feed(4);
  else enc.cut({ partial: profile.cutter === 'partial', feed: profile.cutFeedDots });
  return enc.build().bytes;
}
