// Public entry of @kiosk/protocol-scanner: other workspaces import from here, never from files inside.
export * from './hid-pos.js';
export * from './lines.js';
