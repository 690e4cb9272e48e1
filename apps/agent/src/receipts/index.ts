export * from './document.js';
export * from './render.js';
export * from './test-page.js';
