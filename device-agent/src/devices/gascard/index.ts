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
} from './types.js';
export { GasCardDriver, createGasCardDriver, type GasCardConfig, type GasCardDriverOptions, type GasCardLogger } from './driver.js';
export { CMD, STATUS, statusName } from './protocol/commands.js';
export { createFrameParser, encodeFrame, type Frame } from './protocol/frame.js';
