// Public entry of @kiosk/platform: other workspaces import from here, never from files inside.
export * from './china-time.js';
export * from './database.js';
export * from './log.js';
export * from './mask.js';
export * from './parent-watch.js';
export * from './metrics.js';
export * from './cli.js';
export * from './pseudonym.js';
