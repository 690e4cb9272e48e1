export { createIdCardSimulator, IdCardSimulator } from './simulator.js';
