// Public entry of @kiosk/platform: other workspaces import from here, never from files inside.
export * from './china-time.js';
export * from './database.js';
export * from './log.js';
export * from './mask.js';
export * from './parent-watch.js';
export * from './metrics.js';
export * from './cli.js';
export * from './money.js';
export * from './mutex.js';
export * from './http-client.js';
export * from './process-main.js';
export * from './http-error.js';
export * from './scrypt.js';
export * from './config-hash.js';
export * from './pseudonym.js';
