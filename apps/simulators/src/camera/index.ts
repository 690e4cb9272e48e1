export { CameraSimulator, createCameraSimulator, type CameraSimulatorOptions } from './simulator.js';
export { CAMERA_SCENES, renderScene, type CameraScene } from './scenes.js';
