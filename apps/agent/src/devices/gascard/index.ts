/** Public surface of the gas IC card reader/writer: the interface, the simulated reader's driver, its protocol. */
export {
  GasCardError,
  isGasCardReader,
  type GasCardData,
  type GasCardErrorCode,
  type GasCardReader,
  type GasCardWrite,
  type GasCardWriteResult,
  type StoredPurchase,
} from '@kiosk/protocol-gascard';
export { GasCardDriver, createGasCardDriver, type GasCardConfig, type GasCardDriverOptions, type GasCardLogger } from './driver.js';
export { CMD, STATUS, statusName } from '@kiosk/protocol-gascard';
export { createFrameParser, encodeFrame, type Frame } from '@kiosk/protocol-gascard';
