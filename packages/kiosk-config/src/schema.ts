import { z } from 'zod';
import { deploySchema, selfcareSchema } from './selfcare.js';
import { photoSchema } from './photo.js';

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
  /** How long select/read are retried while a card stays on the reader (driver default 3000). */
  readRetryBudgetMs: ms.optional(),
});

const printerSchema = z.object({
  enabled: z.boolean().default(true),
  transport: transportConfigSchema,
  /** Name of a profile in apps/agent/src/devices/printer/profiles. */
  profile: z.string().min(1).default('generic-80mm'),
  statusPollMs: ms.default(1000),
  statusTimeoutMs: ms.default(500),
  /** Print data goes out in writes of at most this many bytes, each drained before the next. */
  writeWindowBytes: z.number().int().min(64).max(65536).default(1024),
  /** How long a sent job may take to be processed (GS r 1 reply) before it counts as unknown. */
  jobTimeoutMs: ms.default(20_000),
  /** Job bytes (for reprints) are erased after this many days; the job rows stay. */
  jobDataRetentionDays: z.number().int().min(0).max(365).default(7),
});

/** Gas IC card reader/writer (apps/agent/src/devices/gascard, docs/gas.md). */
const gasCardSchema = z.object({
  enabled: z.boolean().default(true),
  transport: transportConfigSchema,
  /** How often card presence is polled. */
  pollIntervalMs: ms.default(500),
  /** Timeout of status and read commands. */
  requestTimeoutMs: ms.default(2000),
  /** Timeout of the idle status poll (default 500 ms, at most requestTimeoutMs). */
  statusTimeoutMs: ms.optional(),
  /** Timeout of a card write; no answer within it means the write outcome is unknown. */
  writeTimeoutMs: ms.default(5000),
});

/** 2D barcode scanner module: serial mode, or USB HID POS (`hid`) (devices/scanner, docs/scanner.md). */
const scannerSchema = z.object({
  enabled: z.boolean().default(true),
  transport: transportConfigSchema,
  /** A partial code older than this is dropped. */
  partialTimeoutMs: ms.default(500),
  /** The same code again within this window counts as one scan (a phone held in front of it). */
  sameCodeMs: ms.default(2000),
});

const cameraSchema = z.object({
  enabled: z.boolean().default(true),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('simulated') }),
    /** An MJPEG-over-HTTP camera (IP camera, or the simulators' camera with its scenes for the photo service). */
    z.object({ kind: z.literal('mjpegHttp'), url: z.url() }),
    z.object({
      kind: z.literal('v4l2'),
      device: z.string().min(1),
      /** V4L2 pixel format to ask for (e.g. mjpeg for large sizes over USB 2); camera default if absent. */
      inputFormat: z
        .string()
        .regex(/^[a-z0-9_]+$/, 'an ffmpeg pixel format name, e.g. mjpeg')
        .optional(),
      /** Sensor mode WxH; camera default if absent. Output is scaled and cropped to width×height anyway. */
      inputSize: z
        .string()
        .regex(/^\d{2,4}x\d{2,4}$/, 'WIDTHxHEIGHT, e.g. 1280x720')
        .optional(),
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

/** Screens of the citizen's session (apps/agent/src/session); countdowns can be set per screen. */
export const sessionScreens = ['home', 'identity', 'face', 'service', 'printing', 'result', 'rating', 'goodbye'] as const;

const screenCountdownSchema = z.object({ ms, elderMs: ms.optional() });

const sessionServiceSchema = z.object({
  enabled: z.boolean().default(true),
  /**
   * Face check after the ID card: off; optional (consent screen with a card-only alternative);
   * required (declining leads to the staffed counter / 12345 instead).
   */
  face: z.enum(['off', 'optional', 'required']).default('off'),
  /**
   * The identity step also takes a 鄂汇办 electronic ID code (电子证照码) through the scanner.
   * false: the service's rules require the physical ID card, and its identity step says so.
   */
  eidCode: z.boolean().default(true),
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
      screens: z
        .partialRecord(z.enum(sessionScreens), screenCountdownSchema)
        .default({ goodbye: { ms: 10_000, elderMs: 20_000 } }),
    })
    .prefault({}),
  services: z
    .object({
      // Property details (address, mortgage) only for the card's holder: face check, or a guide's check (face.guideVerifies).
      property: sessionServiceSchema.prefault({ face: 'required' }),
      gas: sessionServiceSchema.prefault({}),
      tax: sessionServiceSchema.prefault({}),
      social: sessionServiceSchema.prefault({}),
      photo: sessionServiceSchema.prefault({}),
      licence: sessionServiceSchema.prefault({}),
    })
    .prefault({}),
  face: z
    .object({
      /** Captures a citizen may try before the card-only alternative is the only way on. */
      maxAttempts: z.number().int().min(1).max(5).default(3),
      /**
       * In assisted mode (a guide beside the citizen) the guide compares the citizen with the ID
       * card, so a face check is not asked for and the camera is not needed (audited as face.byGuide).
       */
      guideVerifies: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * How long the "请取走身份证" reminder (with sound) lasts after goodbye when the ID card reader
   * cannot tell whether the read card still lies there (docs/session.md). A reader that confirms
   * presence shows the reminder exactly while the card is there.
   */
  idCardReminderMs: ms.default(15_000),
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
      id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
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
      /**
       * Extra host names (no port) the agent answers to besides `host` (and localhost names on
       * loopback); requests naming any other Host are refused (DNS rebinding).
       */
      allowedHosts: z.array(z.string().min(1).max(253)).max(32).default([]),
    }),
    devices: z.object({
      idcard: idCardSchema,
      printer: printerSchema,
      camera: cameraSchema,
      gascard: gasCardSchema.optional(),
      scanner: scannerSchema.optional(),
    }),
    upstream: z.object({
      baseUrl: z.url(),
      timeoutMs: ms.default(5000),
      /**
       * The face verification platform (services/face.ts). Without it, and without the embedded
       * sandbox (which implements the same API at baseUrl), the face step is refused: optional
       * face checks are skipped and services requiring one show as unavailable.
       */
      face: z.object({ baseUrl: z.url().optional(), timeoutMs: ms.default(8000) }).optional(),
      /** The 鄂汇办 e-ID platform that redeems scanned codes (services/eid.ts); default: baseUrl. */
      eid: z.object({ baseUrl: z.url().optional(), timeoutMs: ms.default(5000) }).optional(),
    }),
    central: z.object({
      url: z.url(),
      /** Other central replicas (sharing central's database), tried in order when `url` fails. */
      failoverUrls: z.array(z.url()).max(8).optional(),
      heartbeatIntervalMs: ms.min(1000).default(30_000),
      /** Command long-poll held at central for up to this long (commands arrive at once); 0 = off. */
      commandWaitMs: z.number().int().min(0).max(30_000).default(25_000),
      /** Per-kiosk HMAC secret shared with central. */
      secret: z.string().min(16, 'must be at least 16 characters'),
    }),
    session: sessionSchema.prefault({}),
    /** Natural-gas top-up: the money path (apps/agent/src/gas, docs/gas.md). Amounts in fen. */
    gas: z
      .object({
        /** Kiosk-wide limits; the gas company's per-account limits and monthly allowance also apply. */
        minAmountFen: z.number().int().positive().default(1_000),
        maxAmountFen: z.number().int().positive().default(200_000),
        /** Custom amounts must be a multiple of this (100 = whole yuan). */
        amountStepFen: z.number().int().positive().default(100),
        presetsFen: z.array(z.number().int().positive()).min(1).max(8).default([5_000, 10_000, 20_000, 50_000]),
        /** The QR countdown the citizen sees; the order is closed at the provider when it runs out. */
        paymentCountdownSeconds: z.number().int().min(30).max(900).default(120),
        /** The provider's own expiry is the countdown plus this, as a safety net if the kiosk dies. */
        paymentExpiryGraceSeconds: z.number().int().min(0).max(3600).default(60),
        /** How often the payment is queried while the QR code is shown. */
        paymentPollMs: ms.default(2000),
        /** After the countdown, how long closing the order may keep the session waiting. */
        closeGraceMs: ms.default(30_000),
        /** Orders still pending or unfinished after this long become needs_attention (an alert). */
        needsAttentionAfterMs: ms.default(24 * 3600_000),
        /** Background retries of unfinished and pending orders (idempotent credits, reports, refunds). */
        recoveryIntervalMs: ms.min(1000).default(60_000),
        /** A credited order the UI never finished (receipt) is closed as done after this long. */
        finishAfterMs: ms.default(10 * 60_000),
        /** How long Gas.ReadCard waits for a card by default. */
        cardWaitMs: ms.default(30_000),
      })
      .refine((g) => g.minAmountFen <= g.maxAmountFen, 'minAmountFen must not exceed maxAmountFen')
      .prefault({}),
    /** 自助照相: certificate photos with a digital photo receipt (apps/agent/src/photo, docs/photo.md). */
    photo: photoSchema,
    /** Staff entry, assisted mode and the maintenance panel (apps/agent/src/staff, docs/staff.md). */
    staff: z
      .object({
        /** One PIN per staff member, as `kiosk staff hash-pin` prints it (salted scrypt; never the PIN). */
        pins: z
          .array(
            z.object({
              staffNo: z.string().regex(/^[A-Za-z0-9-]{1,16}$/),
              pinHash: z.string().regex(/^scrypt\$/, 'a hash from `kiosk staff hash-pin`'),
            }),
          )
          .default([]),
        /** Staff ID cards, as `kiosk staff hash-id` prints them (salted scrypt of the id number). */
        idCards: z
          .array(
            z.object({
              staffNo: z.string().regex(/^[A-Za-z0-9-]{1,16}$/),
              idHash: z.string().regex(/^scrypt\$/, 'a hash from `kiosk staff hash-id`'),
            }),
          )
          .default([]),
        /** The hidden gesture: a long press in this screen corner opens the staff prompt. */
        corner: z.enum(['top-left', 'top-right', 'bottom-left', 'bottom-right']).default('top-left'),
        longPressMs: ms.min(300).default(3000),
        /** Wrong PINs in a row that lock the prompt, and for how long. */
        lockoutAttempts: z.number().int().min(1).max(20).default(5),
        lockoutMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(15),
        /** The prompt closes by itself after this long without a PIN. */
        promptTimeoutMs: ms.default(60_000),
      })
      .prefault({}),
    /** 好差评: reports to the government service evaluation platform (device-agent/src/ratings, docs/ratings.md). */
    ratings: z
      .object({
        /**
         * Salt of the keyed hash that lets the platform link a bad rating to a follow-up call
         * without the ID number (agreed with the platform; rotate it and old links stop matching).
         * Absent: bad ratings carry no link at all.
         */
        hashSalt: z.string().min(16, 'must be at least 16 characters').optional(),
        /** Retries of an undelivered report back off up to this long. */
        maxRetryMs: ms.min(1000).default(600_000),
        /** First retry after this long; doubles per failure. */
        retryBaseMs: ms.min(50).default(2_000),
      })
      .prefault({}),
    /** Printed slips of the record services (property, tax, social insurance). */
    slips: z
      .object({
        /**
         * Public base of slip verification: each slip's QR code points at <verifyBaseUrl>/verify/<serial>,
         * whoever scans it (a bank, a phone). Absent: the URL the registry returns (the sandbox's own
         * address, e.g. http://127.0.0.1:5851, which no phone can open).
         */
        verifyBaseUrl: z.url().optional(),
      })
      .prefault({}),
    /** Spoken guidance: the agent synthesises prompts offline (espeak-ng) for the UI to play (docs/voice.md). */
    voice: z
      .object({
        enabled: z.boolean().default(true),
        /** The synthesiser binary; Debian package espeak-ng (installed by scripts/ensure-system-deps.mjs). */
        command: z.string().min(1).default('espeak-ng'),
        /** espeak-ng voice per UI language: cmn = Mandarin. */
        voices: z.object({ 'zh-CN': z.string().min(1).default('cmn'), en: z.string().min(1).default('en-us') }).prefault({}),
        /** Speaking rate in words per minute (espeak-ng -s); slower than its default 175 for elderly citizens. */
        wordsPerMinute: z.number().int().min(80).max(300).default(140),
        /** One synthesis may take at most this long. */
        timeoutMs: ms.default(10_000),
      })
      .prefault({}),
    /** Installation on a real kiosk: stable USB device names (scripts/install-kiosk.sh, docs/deploy.md). */
    deploy: deploySchema,
    /** Unattended operation: disk guard, clock check, retention, nightly maintenance, browser watchdog. */
    selfcare: selfcareSchema,
    /** Processes that `npm start` runs next to the agent on a development or demo machine. */
    embedded: z.object({
      sandbox: z.object({
        enabled: z.boolean(),
        host: z.string().default('127.0.0.1'),
        port: port.default(5851),
        /**
         * The sandbox upstream's own data (its seeded synthetic people): never the kiosk's dataDir,
         * which holds only what the kiosk itself keeps.
         */
        dataDir: z.string().min(1).default('var/sandbox'),
      }),
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
