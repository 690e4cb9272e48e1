/**
 * Face detection with a real model shipped with its weights in an npm package:
 * `@vladmandic/face-api` 1.7.15 (MIT; weights in its `model/` folder) on TensorFlow.js 4.22 with
 * the WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, Apache-2.0, .wasm files inside the
 * package). Nothing is downloaded at run time: `tfjs-node` is not used because its install fetches
 * a binary from Google storage. Models: TinyFaceDetector (416 input) + the tiny 68-point landmark
 * net; on this 2-core machine one frame takes ~70 ms (see `npm run bench`).
 *
 * The detector holds no image: it gets raw RGB pixels, returns boxes and points, and frees its
 * tensors before it returns.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
// face-api's node-wasm build requires '@tensorflow/tfjs' at run time; its tensor type is used here.
import type { Tensor3D } from '@tensorflow/tfjs';

export interface Point {
  x: number;
  y: number;
}

export interface DetectedFace {
  score: number;
  box: { x: number; y: number; width: number; height: number };
  /** The 68 landmark points (iBUG 300-W order: jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67). */
  landmarks: Point[];
}

export interface FaceDetector {
  detect(rgb: Buffer, width: number, height: number): Promise<DetectedFace[]>;
}

/* The face-api and tfjs modules are CommonJS without usable ESM types for this import style;
   the small surface used here is typed by hand below. */
interface TfLike {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor3d(values: Int32Array, shape: [number, number, number], dtype: 'int32'): Tensor3D;
}
interface FaceApiLike {
  tf: TfLike;
  nets: {
    tinyFaceDetector: { loadFromDisk(dir: string): Promise<void> };
    faceLandmark68TinyNet: { loadFromDisk(dir: string): Promise<void> };
  };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(
    input: Tensor3D,
    options: unknown,
  ): {
    withFaceLandmarks(tiny: boolean): Promise<
      Array<{
        detection: { score: number; box: { x: number; y: number; width: number; height: number } };
        landmarks: { positions: Array<{ x: number; y: number }> };
      }>
    >;
  };
}

let loading: Promise<FaceApiLike> | undefined;

/** Where the weights live: the `model/` folder of the face-api package. */
function modelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

async function load(): Promise<FaceApiLike> {
  const require = createRequire(import.meta.url);
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string, usePlatformFetch?: boolean): void };
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApiLike;
  // The .wasm binaries ship inside the backend package; tfjs reads them from this folder.
  wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  await faceapi.tf.setBackend('wasm');
  await faceapi.tf.ready();
  if (faceapi.tf.getBackend() !== 'wasm')
    throw new Error(`face detector: tfjs backend is ${faceapi.tf.getBackend()}, expected wasm`);
  const dir = modelDir();
  await faceapi.nets.tinyFaceDetector.loadFromDisk(dir);
  await faceapi.nets.faceLandmark68TinyNet.loadFromDisk(dir);
  return faceapi;
}

export interface DetectorOptions {
  /** TinyFaceDetector input size (multiple of 32); 416 finds faces reliably at booth distance. */
  inputSize?: number;
  /** Lowest detector score reported (the checks apply their own threshold on top). */
  scoreThreshold?: number;
}

/** The process-wide detector; the model is loaded once, on first use (or by `warmUp`). */
export function createFaceDetector(opts: DetectorOptions = {}): FaceDetector & { warmUp(): Promise<void> } {
  const inputSize = opts.inputSize ?? 416;
  const scoreThreshold = opts.scoreThreshold ?? 0.3;
  const api = (): Promise<FaceApiLike> => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
  return {
    async warmUp() {
      await api();
    },
    async detect(rgb, width, height) {
      const faceapi = await api();
      const tensor = faceapi.tf.tensor3d(new Int32Array(rgb), [height, width, 3], 'int32');
      try {
        const found = await faceapi
          .detectAllFaces(tensor, new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold }))
          .withFaceLandmarks(true);
        return found.map((f) => ({
          score: f.detection.score,
          box: { x: f.detection.box.x, y: f.detection.box.y, width: f.detection.box.width, height: f.detection.box.height },
          landmarks: f.landmarks.positions.map((p) => ({ x: p.x, y: p.y })),
        }));
      } finally {
        tensor.dispose();
      }
    },
  };
}
