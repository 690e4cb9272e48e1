/** Public surface of the ID card reader: driver, factory, errors and the decoded card types. */
export {
  IdCardDriver,
  createIdCardDriver,
  type CardPresence,
  type CardPresenceInfo,
  type CardReadEvent,
  type DecodedPhoto,
  type IdCardConfig,
  type IdCardDriverEvents,
  type IdCardDriverOptions,
  type IdCardLogger,
  type PhotoDecoder,
  type WaitForCardOptions,
} from './driver.js';
export { IdCardError, type IdCardErrorCode } from './errors.js';
export {
  cardTypeLabels,
  cardTypes,
  isExpired,
  sexLabels,
  type CardType,
  type CardWarning,
  type DecodedCard,
  type IdCard,
  type Sex,
} from '@kiosk/protocol-sam';
export { describeSw3, sw3Message } from '@kiosk/protocol-sam';
