// Public entry of @kiosk/platform: apps import from here, never from files inside the package.
export { createLogger, silentLogger, type Logger } from './log.js';
export { pseudonym } from './pseudonym.js';
export { chinaDate } from './china-time.js';
