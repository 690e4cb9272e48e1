// Public entry of @kiosk/kiosk-config: other workspaces import from here, never from files inside.
export * from './load.js';
export * from './schema.js';
export * from './selfcare.js';
export * from './photo.js';
