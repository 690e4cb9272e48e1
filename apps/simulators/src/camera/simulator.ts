/**
 * The simulated camera of the photo booth: an MJPEG-over-HTTP camera (like a network or booth
 * camera) whose picture is the current scene. The agent's production camera driver reads it with
 * ffmpeg (`devices.camera.source = {kind: "mjpegHttp", url: ".../camera/stream.mjpg"}`).
 *
 * Control API (mounted at /camera on 127.0.0.1:5852):
 *   POST /camera/scene {"scene": "person" | "empty" | "two-people" | "off-centre" | "tilted" | "dark" | "blurred"}
 *   POST /camera/plug  {"connected": bool}   unplugged: open streams drop, new ones are reset
 *   GET  /camera/stream.mjpg   multipart/x-mixed-replace, `fps` frames a second
 *   GET  /camera/frame.jpg     the current frame
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { jsonRoute, plugRoute, SimulatorInputError } from '../control-route.js';
import type { SimulatedDevice } from '../simulated-device.js';
import { CAMERA_SCENES, renderScene, type CameraScene } from './scenes.js';

export interface CameraSimulatorOptions {
  /** Frame size; the agent scales and crops to what it asks for. Default 720×960 (portrait booth). */
  width?: number;
  height?: number;
  fps?: number;
  scene?: CameraScene;
}

const BOUNDARY = 'kioskframe';
const sceneBody = z.object({ scene: z.enum(CAMERA_SCENES) }).strict();

export class CameraSimulator implements SimulatedDevice {
  readonly name = 'camera';
  /** Relative to the control API: the agent's config names the full URL. */
  readonly agentPath = '/camera/stream.mjpg';
  private scene: CameraScene;
  private readonly width: number;
  private readonly height: number;
  private readonly fps: number;
  private readonly frames = new Map<CameraScene, Promise<Buffer>>();
  private readonly streams = new Set<Response>();
  private timer: NodeJS.Timeout | undefined;
  private framesSent = 0;
  private connected = true;

  constructor(opts: CameraSimulatorOptions = {}) {
    this.width = opts.width ?? 720;
    this.height = opts.height ?? 960;
    this.fps = opts.fps ?? 5;
    this.scene = opts.scene ?? 'person';
  }

  private frame(scene: CameraScene): Promise<Buffer> {
    let f = this.frames.get(scene);
    if (!f) {
      f = renderScene(scene, { width: this.width, height: this.height });
      this.frames.set(scene, f);
      f.catch(() => this.frames.delete(scene));
    }
    return f;
  }

  async start(): Promise<void> {
    await this.frame(this.scene);
    this.timer = setInterval(() => void this.tick(), Math.round(1000 / this.fps));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.streams.size === 0) return;
    const jpeg = await this.frame(this.scene);
    for (const res of this.streams) {
      if (res.writableNeedDrain) continue; // a slow reader gets the newest frame later, not a backlog
      res.write(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
      res.write(jpeg);
      res.write('\r\n');
      this.framesSent++;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  state(): Record<string, unknown> {
    return {
      scene: this.scene,
      connected: this.connected,
      scenes: CAMERA_SCENES,
      width: this.width,
      height: this.height,
      fps: this.fps,
      clients: this.streams.size,
      framesSent: this.framesSent,
    };
  }

  /** Switches the scene; the next frame of every open stream shows it. */
  async setScene(scene: CameraScene): Promise<void> {
    await this.frame(scene);
    this.scene = scene;
  }

  /**
   * A camera pulled out (or a network camera losing power): the connections it had drop without
   * a goodbye, and until it is back a new connection is reset before any byte is answered.
   */
  setConnected(connected: boolean): Promise<void> {
    this.connected = connected;
    if (connected) return Promise.resolve();
    for (const res of this.streams) res.socket?.destroy();
    this.streams.clear();
    return Promise.resolve();
  }

  router(): Router {
    const r = express.Router();
    r.post('/plug', plugRoute(this));
    r.post(
      '/scene',
      jsonRoute(async (body) => {
        const p = sceneBody.safeParse(body);
        if (!p.success) throw new SimulatorInputError(`scene must be one of ${CAMERA_SCENES.join(', ')}`);
        await this.setScene(p.data.scene);
        return this.state();
      }),
    );
    r.get('/frame.jpg', async (req: Request, res: Response) => {
      if (!this.connected) {
        req.socket.destroy();
        return;
      }
      res.type('image/jpeg').send(await this.frame(this.scene));
    });
    r.get('/stream.mjpg', (req: Request, res: Response) => {
      if (!this.connected) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, {
        'Content-Type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
        'Cache-Control': 'no-store',
        Connection: 'close',
      });
      this.streams.add(res);
      req.socket.setNoDelay(true);
      const gone = (): void => {
        this.streams.delete(res);
      };
      res.on('close', gone);
      void this.tick();
    });
    return r;
  }
}

export function createCameraSimulator(opts: CameraSimulatorOptions = {}): CameraSimulator {
  return new CameraSimulator(opts);
}
