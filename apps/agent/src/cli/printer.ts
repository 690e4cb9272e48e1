/**
 * `kiosk device printer status|test|print` for field engineers, and `kiosk sim printer` to run the
 * printer simulator alone. Status and test talk to the printer through PrinterLink, the same code
 * the driver uses, without the agent's database.
 */
import { parseArgs } from 'node:util';
import type { TransportConfig } from '@kiosk/kiosk-config';
import { reasonText, type PrinterStatusSummary } from '@kiosk/protocol-escpos';
import { PrinterLink } from '../devices/printer/link.js';
import { getProfile, listProfiles } from '../devices/printer/profiles/index.js';
import { createRawPrinterTransport } from '../devices/printer/transport.js';
import { receipt } from '../receipts/document.js';
import { ReceiptRenderError, renderReceipt, type RenderedReceipt } from '../receipts/render.js';
import type { PrinterProfile } from '../devices/printer/profiles/index.js';
import { testPage } from '../receipts/test-page.js';
import type { Transport } from '@kiosk/transport';
import { intOption, UsageError, type CliCommand } from '@kiosk/platform';

const connectionUsage = [
  '  --port PATH          serial device or pty (serial), /dev/usb/lpN (lp), or HOST[:PORT] (tcp, default port 9100)',
  '  --transport KIND     serial (default) | lp | tcp',
  '  --baud N             serial baud rate (default 115200)',
  '  --timeout-ms N       per status request (default 1000); no reply counts as offline, never OK',
].join('\n');

const statusUsage = [
  'Usage: kiosk device printer status --port PATH [--transport serial|lp|tcp] [--baud N] [--timeout-ms N] [--json]',
  '',
  '  Asks the printer DLE EOT 1..4 (one at a time) and prints the decoded status. With --json:',
  '  {online, paper, coverOpen, cutterError, unrecoverableError, notReady, detail, raw: {dleEot1..4}}.',
  '  Exit 0 when the printer answered and can print, 1 otherwise.',
  '',
  connectionUsage,
].join('\n');

/** The usage line naming the printer profiles (the test and print commands take --profile). */
const profilesHelp = `  Profiles: ${listProfiles()
  .map((p) => p.name)
  .join(', ')} (default generic-80mm).`;

const testUsage = [
  'Usage: kiosk device printer test --port PATH [--transport serial|lp|tcp] [--baud N] [--profile NAME] [--timeout-ms N]',
  '',
  '  Prints the test page (测试页: Chinese text, a QR code, a cut). Checks the status first and sends',
  '  nothing when the printer is not ready (offline, paper out, cover open, cutter error …), naming',
  '  the reason in one line. Exit 0 only when the printer confirmed ready before and after printing.',
  profilesHelp,
  '',
  connectionUsage,
].join('\n');

const printUsage = [
  'Usage: kiosk device printer print --port PATH [--profile NAME] --text "LINE" [--text "LINE" …] [--transport serial|lp|tcp] [--baud N] [--timeout-ms N]',
  '',
  '  Prints the given lines as a plain receipt with a cut. Checks the status first and sends nothing',
  '  when the printer is not ready, naming the reason in one line (as `device printer test`).',
  '  Lines wider than the paper wrap; characters outside the printer font print as images of the glyph.',
  '  Exit 0 only when the printer confirmed the job (GS r 1 replies and a ready status afterwards),',
  '  1 with one readable line otherwise.',
  profilesHelp,
  '',
  connectionUsage,
].join('\n');

interface Connection {
  transport: TransportConfig;
  timeoutMs: number;
}

const connectionOptions = {
  port: { type: 'string' },
  transport: { type: 'string' },
  baud: { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

function connection(values: {
  port?: string | undefined;
  transport?: string | undefined;
  baud?: string | undefined;
  'timeout-ms'?: string | undefined;
}): Connection {
  if (!values.port) throw new UsageError('--port is required');
  const kind = values.transport ?? 'serial';
  const timeoutMs = intOption('timeout-ms', values['timeout-ms'], 1000, 10, 60_000);
  if (kind === 'serial') {
    return {
      transport: { kind: 'serial', path: values.port, baudRate: intOption('baud', values.baud, 115200, 50, 4_000_000) },
      timeoutMs,
    };
  }
  if (kind === 'lp') return { transport: { kind: 'lp', path: values.port }, timeoutMs };
  if (kind === 'tcp') {
    const m = /^(.+?)(?::(\d+))?$/.exec(values.port);
    const host = m?.[1] ?? values.port;
    const port = intOption('port (tcp port part)', m?.[2], 9100, 1, 65535);
    return { transport: { kind: 'tcp', host, port }, timeoutMs };
  }
  throw new UsageError(`--transport must be serial, lp or tcp, got "${kind}"`);
}

function statusJson(s: PrinterStatusSummary, error?: string): Record<string, unknown> {
  const hex = (b: number | undefined): string | null => (b === undefined ? null : `0x${b.toString(16).padStart(2, '0')}`);
  return {
    online: s.online,
    paper: s.paper,
    coverOpen: s.coverOpen,
    cutterError: s.cutterError,
    unrecoverableError: s.unrecoverableError,
    recoverableError: s.recoverableError,
    autoRecoverableError: s.autoRecoverableError,
    ready: s.notReady === undefined,
    notReady: s.notReady ?? null,
    detail: error ?? (s.notReady ? reasonText[s.notReady] : null),
    raw: { dleEot1: hex(s.raw[1]), dleEot2: hex(s.raw[2]), dleEot3: hex(s.raw[3]), dleEot4: hex(s.raw[4]) },
    bits: s.bits,
  };
}

async function openTransport(conn: Connection): Promise<Transport> {
  const t = createRawPrinterTransport(conn.transport);
  await t.open();
  return t;
}

async function status(args: string[]): Promise<number> {
  let conn: Connection;
  let json: boolean;
  try {
    const { values } = parseArgs({
      args,
      options: { ...connectionOptions, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    conn = connection(values);
    json = values.json ?? false;
  } catch (err) {
    process.stderr.write(`kiosk device printer status: ${(err as Error).message}; see --help\n`);
    return 1;
  }
  let transport: Transport | undefined;
  let summary: PrinterStatusSummary;
  let error: string | undefined;
  const { summarizeStatus } = await import('@kiosk/protocol-escpos');
  try {
    transport = await openTransport(conn);
    const link = new PrinterLink(transport);
    summary = await link.queryStatus(conn.timeoutMs);
    link.dispose();
  } catch (err) {
    summary = summarizeStatus({});
    error = `${reasonText.noDevice}: ${(err as Error).message}`;
  } finally {
    await transport?.close().catch(() => undefined);
  }
  const out = statusJson(summary, error);
  if (json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(
      [
        `online: ${summary.online}`,
        `paper: ${summary.paper}`,
        `cover open: ${summary.coverOpen}`,
        `cutter error: ${summary.cutterError}`,
        `unrecoverable error: ${summary.unrecoverableError}`,
        `raw: ${Object.entries(out.raw as Record<string, string | null>)
          .map(([k, v]) => `${k}=${v ?? '-'}`)
          .join(' ')}`,
        summary.notReady || error ? `not ready: ${String(out.detail)}` : 'ready / 就绪',
      ].join('\n') + '\n',
    );
  }
  return summary.notReady || error ? 1 : 0;
}

/**
 * The shared field-engineer print path: status check (nothing sent unless ready), the job with
 * its GS r 1 confirmations, the status afterwards. One line on stderr for every refusal or failure.
 */
async function printJob(
  name: string,
  conn: Connection,
  profile: PrinterProfile,
  render: () => RenderedReceipt,
  done: (job: RenderedReceipt, t: Transport) => string,
): Promise<number> {
  let job: RenderedReceipt;
  try {
    job = render();
  } catch (err) {
    if (!(err instanceof ReceiptRenderError)) throw err;
    process.stderr.write(`${name}: ${err.message}; nothing sent\n`);
    return 1;
  }
  let transport: Transport | undefined;
  let link: PrinterLink | undefined;
  try {
    try {
      transport = await openTransport(conn);
    } catch (err) {
      process.stderr.write(`${name}: ${reasonText.noDevice}: ${(err as Error).message}; nothing sent\n`);
      return 1;
    }
    link = new PrinterLink(transport);
    const before = await link.queryStatus(conn.timeoutMs);
    if (before.notReady) {
      process.stderr.write(`${name}: ${reasonText[before.notReady]}; nothing sent\n`);
      return 1;
    }
    const result = await link.sendJob(job, {
      windowBytes: 1024,
      statusTimeoutMs: conn.timeoutMs,
      processedMarker: job.processedMarker,
      jobTimeoutMs: 20_000,
    });
    if (result.outcome !== 'printed') {
      let rest = '';
      if (result.interrupted && result.bytesSent > 0) {
        // Same care as the agent: the printer must not hand the rest of this slip to anyone later.
        const cleared = profile.status.realtimeClear && (await link.clearBuffers(conn.timeoutMs));
        rest = cleared
          ? '; 打印机已清除剩余部分 / the printer dropped the rest'
          : '; 剩余部分可能在装纸后打出，作废 / the rest may print after a refill: it is void';
      }
      process.stderr.write(`${name}: ${result.outcome}: ${result.detail ?? result.reason}${rest}\n`);
      return 1;
    }
    const after = await link.queryStatus(conn.timeoutMs);
    if (after.notReady) {
      process.stderr.write(`${name}: printed, but afterwards: ${reasonText[after.notReady]}\n`);
      return 1;
    }
    const low = before.paper === 'low' || after.paper === 'low' ? '; 打印纸将尽 / paper near end' : '';
    process.stdout.write(`${done(job, transport)}${low}\n`);
    return 0;
  } finally {
    link?.dispose();
    await transport?.close().catch(() => undefined);
  }
}

function profileOrFail(name: string, profileName: string): PrinterProfile | undefined {
  try {
    return getProfile(profileName);
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}\n`);
    return undefined;
  }
}

async function test(args: string[]): Promise<number> {
  const name = 'kiosk device printer test';
  let conn: Connection;
  let profileName: string;
  try {
    const { values } = parseArgs({
      args,
      options: { ...connectionOptions, profile: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    conn = connection(values);
    profileName = values.profile ?? 'generic-80mm';
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}; see --help\n`);
    return 1;
  }
  const profile = profileOrFail(name, profileName);
  if (!profile) return 1;
  return printJob(
    name,
    conn,
    profile,
    () => renderReceipt(testPage(profile), profile),
    (job, t) => `测试页已打印 / test page printed (${job.bytes.length} bytes, ${profile.name}, ${t.description})`,
  );
}

async function print(args: string[]): Promise<number> {
  const name = 'kiosk device printer print';
  let conn: Connection;
  let profileName: string;
  let lines: string[];
  try {
    const { values } = parseArgs({
      args,
      options: { ...connectionOptions, profile: { type: 'string' }, text: { type: 'string', multiple: true } },
      strict: true,
      allowPositionals: false,
    });
    conn = connection(values);
    profileName = values.profile ?? 'generic-80mm';
    lines = values.text ?? [];
    if (lines.length === 0) throw new UsageError('at least one --text "LINE" is required');
  } catch (err) {
    process.stderr.write(`${name}: ${(err as Error).message}; see --help\n`);
    return 1;
  }
  const profile = profileOrFail(name, profileName);
  if (!profile) return 1;
  const render = (): RenderedReceipt => {
    const doc = receipt('cli-print');
    for (const l of lines) {
      // A line may hold "\n" from the shell ($'a\nb'): each part is a line of its own.
      for (const part of l.split(/\r?\n/)) doc.text(part);
    }
    return renderReceipt(doc.build(), profile);
  };
  return printJob(
    name,
    conn,
    profile,
    render,
    (job, t) => `已打印 / printed ${lines.length} line(s) (${job.bytes.length} bytes, ${profile.name}, ${t.description})`,
  );
}

export const printerCommands: CliCommand[] = [
  {
    path: ['device', 'printer', 'status'],
    summary: 'read the receipt printer status (DLE EOT 1..4)',
    usage: statusUsage,
    run: status,
  },
  {
    path: ['device', 'printer', 'test'],
    summary: 'print the test page (测试页) if the printer is ready',
    usage: testUsage,
    run: test,
  },
  {
    path: ['device', 'printer', 'print'],
    summary: 'print lines of text as a plain receipt with a cut, if the printer is ready',
    usage: printUsage,
    run: print,
  },
];
