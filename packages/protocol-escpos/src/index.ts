export * from './commands.js';
export * from './text.js';
export * from './layout.js';
export * from './image.js';
export * from './qr.js';
export * from './encoder.js';
export * from './status.js';
export * from './glyph-raster.js';
