export { ScannerSimulator, createScannerSimulator } from './simulator.js';
