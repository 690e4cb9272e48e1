/** Camera: a UVC camera over V4L2 through ffmpeg, or the simulated test source. See docs/camera.md. */
import type { KioskConfig } from '@kiosk/kiosk-config';
import { CameraDriver, type CameraDriverOptions, type CameraLogger } from './driver.js';

export type CameraConfig = KioskConfig['devices']['camera'];

/** Builds the driver from `config.devices.camera`; `overrides` are for tests and the CLI. */
export function createCameraDriver(
  config: CameraConfig,
  logger?: CameraLogger,
  overrides: Partial<CameraDriverOptions> = {},
): CameraDriver {
  return new CameraDriver({
    source: config.source,
    enabled: config.enabled,
    width: config.width,
    height: config.height,
    timeoutMs: config.timeoutMs,
    warmupFrames: config.warmupFrames,
    previewFps: config.previewFps,
    jpegQuality: config.jpegQuality,
    statusPollMs: config.statusPollMs,
    logger,
    ...overrides,
  });
}

export { CameraDriver } from './driver.js';
export type { CameraDriverOptions, CameraLogger } from './driver.js';
export { CameraError } from './errors.js';
export { grantCameraConsent, revokeCameraConsent, type CameraConsent } from './consent.js';
export { parseJpeg } from './jpeg.js';
