// Public entry of @kiosk/transport: other workspaces import from here, never from files inside.
export * from './hid.js';
export * from './hid-pos.js';
export * from './lp.js';
export * from './memory.js';
export * from './reconnecting.js';
export * from './serial.js';
export * from './tcp.js';
export * from './transport.js';
