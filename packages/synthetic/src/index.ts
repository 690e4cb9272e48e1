// Public entry of @kiosk/synthetic: other workspaces import from here, never from files inside.
export * from './card-profiles.js';
export * from './idnumber.js';
export * from './people.js';
export * from './prng.js';
