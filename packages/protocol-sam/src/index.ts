// Public entry of @kiosk/protocol-sam: other workspaces import from here, never from files inside.
export * from './commands.js';
export * from './frame.js';
export * from './hid-report.js';
export * from './id-number.js';
export * from './parser.js';
export * from './status.js';
export * from './text.js';
