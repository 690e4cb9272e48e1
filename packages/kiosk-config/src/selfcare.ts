import { z } from 'zod';

const ms = z.number().int().positive();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour, China time');

/** A USB device by its ids, lowercase hex as udev prints them (`udevadm info -a`). */
const usbIdSchema = z.object({
  vendorId: z.string().regex(/^[0-9a-f]{4}$/, 'four lowercase hex digits, e.g. 0483'),
  productId: z.string().regex(/^[0-9a-f]{4}$/, 'four lowercase hex digits, e.g. 5740'),
  /** Kernel subsystem of the node the agent opens: tty (serial), usbmisc (/dev/usb/lp*), hidraw. */
  subsystem: z.enum(['tty', 'usbmisc', 'hidraw']).default('tty'),
  /** USB serial number, when two identical devices are attached. */
  serial: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .optional(),
});

/**
 * How the kiosk is installed on a real machine (scripts/install-kiosk.sh, docs/deploy.md): udev
 * rules give each configured USB device a stable name (/dev/kiosk-idcard …) that the transports use.
 */
export const deploySchema = z
  .object({
    usb: z.partialRecord(z.enum(['idcard', 'printer', 'gascard', 'scanner']), usbIdSchema).default({}),
  })
  .prefault({});

/** Self-care of an unattended kiosk (apps/agent/src/selfcare, docs/deploy.md). */
export const selfcareSchema = z
  .object({
    /** Unattended-kiosk watchdogs run only where the agent is installed as a service. */
    enabled: z.boolean().default(false),
    disk: z
      .object({
        /** Below this free space, logs and old raw data are pruned; if still below, out of service. */
        minFreeBytes: z
          .number()
          .int()
          .min(0)
          .default(512 * 1024 * 1024),
        checkIntervalMs: ms.default(60_000),
      })
      .prefault({}),
    clock: z
      .object({
        /** Offset to central's clock (from heartbeat responses) that raises a warning. */
        warnSeconds: z.number().positive().default(30),
        /** Offset beyond which slips and signatures can't be trusted: out of service. */
        outOfServiceSeconds: z.number().positive().default(300),
      })
      .prefault({}),
    retention: z
      .object({
        /** Journal rows (print jobs, finished gas orders, sessions) older than this are pruned. */
        journalDays: z.number().int().min(1).max(3650).default(180),
        auditDays: z.number().int().min(1).max(3650).default(180),
      })
      .prefault({}),
    maintenance: z
      .object({
        /** Nightly window for integrity_check, VACUUM, pruning and a browser restart when nobody is there. */
        windowStart: hhmm.default('03:00'),
        windowEnd: hhmm.default('04:00'),
      })
      .prefault({}),
    browser: z
      .object({
        /** Restart the kiosk browser when the UI's liveness ping stops for this long. */
        pingTimeoutMs: ms.default(30_000),
        /** This many restarts in an hour raise an alert at central. */
        alertAfterRestartsPerHour: z.number().int().min(1).default(3),
        /** argv that restarts the browser (the installed polkit rule lets the kiosk user run it). */
        restartCommand: z.array(z.string().min(1)).min(1).default(['systemctl', 'restart', 'kiosk-browser.service']),
        /**
         * argv that writes the kiosk screen as a binary PPM to stdout (deploy/kiosk-screenshot.sh:
         * grim under cage). Absent: only the ping is watched, not blank or frozen screens.
         */
        screenshotCommand: z.array(z.string().min(1)).min(1).optional(),
        /** How often the screen is captured to catch a blank or frozen page. */
        screenCheckIntervalMs: ms.min(1000).default(60_000),
      })
      .prefault({}),
  })
  .prefault({});

export type SelfcareConfig = z.infer<typeof selfcareSchema>;
export type DeployConfig = z.infer<typeof deploySchema>;
