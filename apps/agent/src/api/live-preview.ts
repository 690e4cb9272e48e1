/**
 * A running camera preview served to the kiosk's own page as multipart MJPEG (an <img> shows it).
 * Face check, photo booth and the maintenance panel's camera test each keep their previews under
 * one-off keys; this is how any of them is put on the wire.
 */
import type { Request, Response } from 'express';
import { serviceError } from '@kiosk/platform';
import type { CameraPreview } from '../devices/camera/preview.js';

/** Streams `preview` until it ends or the page goes; 404 when there is none (or it has ended). */
export function serveLivePreview(preview: CameraPreview | undefined, req: Request, res: Response): void {
  if (!preview || !preview.running) {
    res.status(404).json(serviceError('no live preview'));
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'multipart/x-mixed-replace; boundary=frame',
    'Cache-Control': 'no-store',
    Connection: 'close',
  });
  const onFrame = (jpeg: Buffer): void => {
    res.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
    res.write(jpeg);
    res.write('\r\n');
  };
  preview.on('frame', onFrame);
  preview.once('end', () => {
    preview.off('frame', onFrame);
    res.end();
  });
  req.on('close', () => preview.off('frame', onFrame));
}
