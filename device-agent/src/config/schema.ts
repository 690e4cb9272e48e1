import { z } from 'zod';

/** How a device is reached. Relative paths are resolved against the project root. */
export const transportConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('serial'),
    path: z.string().min(1),
    baudRate: z.number().int().positive().default(115200),
  }),
  z.object({
    kind: z.literal('hid'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    /** hidraw path when several identical readers are attached. */
    path: z.string().optional(),
  }),
  /** USB printer class device file, e.g. /dev/usb/lp0. */
  z.object({ kind: z.literal('lp'), path: z.string().min(1) }),
  /** Raw TCP, e.g. a network printer on port 9100. */
  z.object({
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
  }),
]);
export type TransportConfig = z.infer<typeof transportConfigSchema>;

/** 0 = any free port (tests). */
const port = z.number().int().min(0).max(65535);
const ms = z.number().int().positive();

const idCardSchema = z.object({
  enabled: z.boolean().default(true),
  transport: transportConfigSchema,
  pollIntervalMs: ms.default(300),
  requestTimeoutMs: ms.default(3000),
});

const printerSchema = z.object({
  enabled: z.boolean().default(true),
  transport: transportConfigSchema,
  /** Name of a profile in device-agent/src/devices/printer/profiles. */
  profile: z.string().min(1).default('generic-80mm'),
  statusPollMs: ms.default(5000),
  statusTimeoutMs: ms.default(500),
  /** Print data goes out in writes of at most this many bytes, each drained before the next. */
  writeWindowBytes: z.number().int().min(64).max(65536).default(1024),
  /** How long a sent job may take to be processed (GS r 1 reply) before it counts as unknown. */
  jobTimeoutMs: ms.default(20_000),
  /** Job bytes (for reprints) are erased after this many days; the job rows stay. */
  jobDataRetentionDays: z.number().int().min(0).max(365).default(7),
});

const cameraSchema = z.object({
  enabled: z.boolean().default(true),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('simulated') }),
    z.object({
      kind: z.literal('v4l2'),
      device: z.string().min(1),
      /** V4L2 pixel format to ask for (e.g. mjpeg for large sizes over USB 2); camera default if absent. */
      inputFormat: z.string().regex(/^[a-z0-9_]+$/, 'an ffmpeg pixel format name, e.g. mjpeg').optional(),
      /** Sensor mode WxH; camera default if absent. Output is scaled and cropped to width×height anyway. */
      inputSize: z.string().regex(/^\d{2,4}x\d{2,4}$/, 'WIDTHxHEIGHT, e.g. 1280x720').optional(),
    }),
  ]),
  width: z.number().int().min(160).max(4096).default(640),
  height: z.number().int().min(120).max(4096).default(480),
  timeoutMs: ms.default(5000),
  /** Frames skipped before a still so auto-exposure settles (real cameras only). */
  warmupFrames: z.number().int().min(0).max(120).default(5),
  /** Live preview rate for the face step and the maintenance panel. */
  previewFps: z.number().min(0.5).max(15).default(4),
  /** ffmpeg -q:v for JPEG: 2 best … 31 worst. */
  jpegQuality: z.number().int().min(2).max(31).default(4),
  /** How often the V4L2 node's presence is checked (a stat, no ffmpeg). */
  statusPollMs: ms.min(200).default(2000),
});

/** Screens of the citizen's session (device-agent/src/session); countdowns can be set per screen. */
export const sessionScreens = ['home', 'identity', 'face', 'service', 'printing', 'result', 'rating', 'goodbye'] as const;

const screenCountdownSchema = z.object({ ms, elderMs: ms.optional() });

const sessionServiceSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Face check after the ID card: off; optional (consent screen with a card-only alternative);
   * required (declining leads to the staffed counter / 12345 instead).
   */
  face: z.enum(['off', 'optional', 'required']).default('off'),
});

/** The citizen's session: countdowns (WCAG 2.2.1: warn ≥ 20 s before the end), face check per service. */
const sessionSchema = z.object({
  countdown: z
    .object({
      defaultMs: ms.default(60_000),
      elderMs: ms.default(120_000),
      warningMs: ms.default(20_000),
      /** Assisted mode (a guide beside the citizen) stretches every countdown by this factor. */
      assistedFactor: z.number().min(1).max(10).default(3),
      screens: z.partialRecord(z.enum(sessionScreens), screenCountdownSchema).default({ goodbye: { ms: 10_000, elderMs: 20_000 } }),
    })
    .prefault({}),
  services: z
    .object({
      property: sessionServiceSchema.prefault({ face: 'optional' }),
      gas: sessionServiceSchema.prefault({}),
      tax: sessionServiceSchema.prefault({}),
      social: sessionServiceSchema.prefault({}),
    })
    .prefault({}),
  face: z
    .object({
      /** Captures a citizen may try before the card-only alternative is the only way on. */
      maxAttempts: z.number().int().min(1).max(5).default(3),
    })
    .prefault({}),
  /** Shown on the out-of-service page and wherever the citizen is sent elsewhere. */
  contact: z
    .object({
      hotline: z.string().min(1).default('12345'),
      hoursZh: z.string().min(1).default('人工窗口：周一至周五 8:30–12:00，14:30–17:30'),
      hoursEn: z.string().min(1).default('Staffed counters: Mon–Fri 8:30–12:00, 14:30–17:30'),
    })
    .prefault({}),
});

export const configSchema = z
  .object({
    kiosk: z.object({
      id: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
      site: z.string().min(1),
      location: z.string().min(1),
    }),
    /** SQLite files and other state; relative to the project root unless absolute. */
    dataDir: z.string().min(1),
    log: z.object({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    }),
    agent: z.object({
      /** The agent serves only the kiosk's own browser: loopback unless an operator says otherwise. */
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(5846),
    }),
    devices: z.object({
      idcard: idCardSchema,
      printer: printerSchema,
      camera: cameraSchema,
    }),
    upstream: z.object({
      baseUrl: z.url(),
      timeoutMs: ms.default(5000),
    }),
    central: z.object({
      url: z.url(),
      heartbeatIntervalMs: ms.min(1000).default(30_000),
      /** Per-kiosk HMAC secret shared with central. */
      secret: z.string().min(16, 'must be at least 16 characters'),
    }),
    session: sessionSchema.prefault({}),
    /** Processes that `npm start` runs next to the agent on a development or demo machine. */
    embedded: z.object({
      sandbox: z.object({ enabled: z.boolean(), host: z.string().default('127.0.0.1'), port: port.default(5851) }),
      simulators: z.object({
        enabled: z.boolean(),
        host: z.string().default('127.0.0.1'),
        port: port.default(5852),
        /** Where the pty links live; the device transports above point into it. */
        ptyDir: z.string().min(1).default('var/dev'),
      }),
      central: z.object({ enabled: z.boolean(), host: z.string().default('127.0.0.1'), port: port.default(5850) }),
    }),
  })
  .strict();

export type KioskConfig = z.infer<typeof configSchema>;
