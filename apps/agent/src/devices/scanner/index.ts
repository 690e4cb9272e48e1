/** Public surface of the 2D barcode scanner: driver and masking of what it reads (wire formats: @kiosk/protocol-scanner). */
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
export { classifyScan, maskScan, type ScannedKind } from './personal.js';
