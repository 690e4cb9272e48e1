export { ScannerSimulator, createScannerSimulator, type ScannerSimulatorOptions } from './simulator.js';
