export { createLogger, silentLogger, type Logger } from '@kiosk/platform';
