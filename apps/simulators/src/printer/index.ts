export { createPrinterSimulator, PrinterSimulator } from './simulator.js';
export type { ReceiptView } from './simulator.js';
export { PrinterEmulator } from './emulator.js';
export type { PrinterPersonality } from './emulator.js';
