export {
  GasCardSimulator,
  createGasCardSimulator,
  gasCardFaultKinds,
  type GasCardFault,
  type GasCardFaultKind,
  type GasCardSimulatorOptions,
} from './simulator.js';
export { applyWrite, cardProfiles, findCardProfile, newCard, type CardProfile, type SimCard, type SimCardWrite } from './card.js';
