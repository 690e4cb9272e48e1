export { CameraSimulator, createCameraSimulator } from './simulator.js';
export { CAMERA_SCENES } from './scenes.js';
