export { createPrinterSimulator, PrinterSimulator, SimulatorInputError, receiptView } from './simulator.js';
export type { PrinterSimulatorOptions, ReceiptView } from './simulator.js';
export { PrinterEmulator, defaultSensors, defaultPersonality, CLEAR_BUFFERS, CLEAR_RESPONSE } from './emulator.js';
export type { PrinterSensors, PrinterPersonality, SimPaper, EmulatorCounters } from './emulator.js';
export { EscPosDecoder, decodeCode128 } from './decoder.js';
export type { DecodedEvent } from './decoder.js';
export { ReceiptAssembler, receiptHtml, receiptText } from './receipts.js';
export type { ReceiptRecord, ReceiptItem } from './receipts.js';
