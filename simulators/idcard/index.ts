export { createIdCardSimulator, IdCardSimulator, SimulatorInputError, defaultTiming } from './simulator.js';
export type { IdCardSimulatorOptions, PlaceCardInput, SimTiming, TimelineEvent } from './simulator.js';
export { profiles, findProfile, syntheticWlt } from './profiles.js';
export type { CardProfile } from './profiles.js';
export { faultKinds } from './reader.js';
export type { FaultKind, FaultTarget } from './reader.js';
