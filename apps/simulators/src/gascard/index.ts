export {
  GasCardSimulator,
  createGasCardSimulator,
  gasCardFaultKinds,
  type CardWriteEvent,
  type GasCardFault,
  type GasCardFaultKind,
  type GasCardSimulatorOptions,
} from './simulator.js';
export { applyTornWrite, applyWrite, cardProfiles, findCardProfile, newCard, type CardProfile, type SimCard, type SimCardWrite } from './card.js';
