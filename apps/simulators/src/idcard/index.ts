export { createIdCardSimulator, IdCardSimulator, SimulatorInputError, defaultTiming } from './simulator.js';
export type { IdCardSimulatorOptions, PlaceCardInput, SimTiming, TimelineEvent } from './simulator.js';
export { profiles, findProfile, syntheticWlt } from '@kiosk/synthetic';
export type { CardProfile } from '@kiosk/synthetic';
export { faultKinds } from './reader.js';
export type { FaultKind, FaultTarget } from './reader.js';
