/**
 * Camera errors. `message` is one line, zh-CN first then English, so the CLI and the maintenance
 * panel can show it as it is; `detail` is the English half for status details and logs. `code`
 * is what callers branch on.
 */

export type CameraErrorCode =
  'consentRequired' | 'noDevice' | 'ffmpegMissing' | 'timeout' | 'busy' | 'stopped' | 'badFrame' | 'hardwareError';

export class CameraError extends Error {
  readonly detail: string;

  constructor(
    readonly code: CameraErrorCode,
    zh: string,
    en: string,
    options?: { cause?: unknown },
  ) {
    super(`${zh} / ${en}`, options);
    this.name = 'CameraError';
    this.detail = en;
  }
}

export const cameraErrors = {
  consentRequired: (reason: string) =>
    new CameraError(
      'consentRequired',
      '未获得本人单独同意，不能拍摄',
      `capture refused: no valid consent from the citizen (${reason}); ask for consent first (grantCameraConsent)`,
    ),
  noDevice: (device: string) =>
    new CameraError('noDevice', '未找到摄像头', `camera not found: ${device} does not exist (is the camera plugged in?)`),
  ffmpegMissing: (path: string) =>
    new CameraError(
      'ffmpegMissing',
      '缺少 ffmpeg',
      `ffmpeg not found (${path}): install the Debian package "ffmpeg" (sudo apt-get install ffmpeg)`,
    ),
  timeout: (ms: number) => new CameraError('timeout', '摄像头超时', `camera timed out: no frame within ${ms} ms`),
  busy: (what: string) => new CameraError('busy', '摄像头忙', `camera busy: ${what}`),
  stopped: () => new CameraError('stopped', '摄像头已停止', 'camera stopped before the frame arrived'),
  notStarted: () => new CameraError('stopped', '摄像头未启动', 'camera driver is not started (call start() first)'),
  disabled: () => new CameraError('stopped', '摄像头已在配置中停用', 'camera is disabled in the configuration'),
  badFrame: (reason: string) => new CameraError('badFrame', '图像无效', `invalid frame from ffmpeg: ${reason}`),
  hardware: (reason: string) => new CameraError('hardwareError', '摄像头故障', `camera error: ${reason}`),
};
