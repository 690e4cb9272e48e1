export { GasCardSimulator, createGasCardSimulator } from './simulator.js';
