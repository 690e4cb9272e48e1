/** Public surface of the 2D barcode scanner: driver, its pure protocol, masking of what it reads. */
export {
  ScannerDriver,
  ScannerError,
  createScannerDriver,
  isCodeScanner,
  scannerTransport,
  type CodeScanner,
  type ScannedCode,
  type ScannerConfig,
  type ScannerDriverOptions,
  type ScannerLogger,
} from './driver.js';
export { ScanFramer, decodeLine, encodeScan, type ScanEvent, type ScanRejection } from './protocol/lines.js';
export { classifyScan, maskScan, type ScannedKind } from './protocol/personal.js';
export { HidPosAssembler, hidPosReports, parseHidPosReport, defaultHidPosLayout, type HidPosLayout } from './protocol/hid-pos.js';
