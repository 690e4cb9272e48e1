// Public entry of @kiosk/protocol-gascard: other workspaces import from here, never from files inside.
export * from './commands.js';
export * from './frame.js';
export * from './types.js';
