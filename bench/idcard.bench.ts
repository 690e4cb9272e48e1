/**
 * ID card reader: time from card placement to `cardRead` through the real driver over a socat pty
 * against the simulator, split into what the reader itself takes (simulator latency + line time
 * at 115200 baud, 1295 bytes ≈ 112 ms) and what the driver adds; plus parser throughput.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Benchmark, BenchResult } from './result.js';
import { IdCardDriver } from '../apps/agent/src/devices/idcard/driver.js';
import { SerialTransport } from '@kiosk/transport';
import { buildResponseFrame } from '@kiosk/protocol-sam';
import { encodeReadBase } from '@kiosk/protocol-sam';
import { createResponseParser } from '@kiosk/protocol-sam';
import { encodeText } from '@kiosk/protocol-sam';
import { createIdCardSimulator, type TimelineEvent } from '../apps/simulators/src/idcard/simulator.js';
import { profiles } from '@kiosk/synthetic';

const BAUD = 115200;
const ROUNDS = 8;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

interface Round {
  total: number;
  pollWait: number;
  readerTime: number;
  readWire: number;
  overhead: number;
}

/** Splits one placement→cardRead interval using the simulator's timeline. */
function analyse(events: readonly TimelineEvent[], placedAt: number, readAt: number): Round {
  const win = events.filter((e) => e.at >= placedAt && e.at <= readAt);
  const commands = win.filter((e) => e.type === 'command');
  const ends = win.filter((e) => e.type === 'replyEnd');
  const firstCommand = commands[0];
  if (!firstCommand || ends.length === 0) throw new Error('timeline has no command/reply in the read window');
  // Commands answered inside the window: reader time = command received → last reply byte written.
  let readerTime = 0;
  for (const end of ends) {
    const cmd = [...commands].reverse().find((c) => c.at <= end.at);
    if (cmd) readerTime += end.at - cmd.at;
  }
  const readStart = win.find((e) => e.type === 'replyStart' && e.command?.startsWith('readBase'));
  const readEnd = ends.find((e) => e.command?.startsWith('readBase'));
  const total = readAt - placedAt;
  const pollWait = firstCommand.at - placedAt;
  return {
    total,
    pollWait,
    readerTime,
    readWire: readStart && readEnd ? readEnd.at - readStart.at : NaN,
    overhead: total - pollWait - readerTime,
  };
}

async function placementToRead(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-bench-idcard-'));
  const sim = createIdCardSimulator({
    agentPath: join(dir, 'idcard'),
    devicePath: join(dir, 'idcard-device'),
    baudRate: BAUD,
    // Fixed latencies (mid-range of the reference's suggestions) so rounds compare.
    timing: { short: [10, 10], find: [30, 30], select: [50, 50], read: [500, 500] },
  });
  await sim.start();
  const driver = new IdCardDriver({
    transport: new SerialTransport({ path: join(dir, 'idcard'), baudRate: BAUD }),
    pollIntervalMs: 300,
    baudRate: BAUD,
  });
  const rounds: Round[] = [];
  try {
    await driver.start();
    const deadline = Date.now() + 10_000;
    while (driver.status().device !== 'online') {
      if (Date.now() > deadline) throw new Error(`reader not online: ${driver.status().detail ?? ''}`);
      await sleep(20);
    }
    const residents = profiles.filter((p) => p.card.cardType === 'resident');
    for (let i = 0; i < ROUNDS; i++) {
      const read = new Promise<number>((resolve) => driver.once('cardRead', () => resolve(performance.now())));
      sim.placeCard({ profile: residents[i % residents.length]!.name });
      const placedAt = performance.now();
      const readAt = await read;
      // The simulator logs its last write once the write call returns; let it catch up.
      await sleep(20);
      rounds.push(analyse(sim.timeline(), placedAt, readAt));
      // A read card's removal shows only with the next placement (find answers 80 either way), so
      // wait for one poll after lifting it rather than for cardRemoved.
      const finds = sim.reader.counters.finds;
      sim.removeCard();
      while (sim.reader.counters.finds <= finds) await sleep(5);
      // Land the next placement at a different point of the poll cycle.
      await sleep(37 * (i + 1));
    }
  } finally {
    await driver.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const theoreticalWire = round((1295 * 10 * 1000) / BAUD);
  return [
    {
      name: 'idcard: card placement → cardRead (median, 300 ms polling)',
      value: round(median(rounds.map((r) => r.total))),
      unit: 'ms',
      peer: 'simulated reader alone: poll wait + find/select/read latency + wire',
      peerValue: round(median(rounds.map((r) => r.pollWait + r.readerTime))),
      goal: null,
    },
    {
      name: 'idcard: 30 01 reply on the wire, 1295 bytes at 115200 baud (median)',
      value: round(median(rounds.map((r) => r.readWire))),
      unit: 'ms',
      peer: '1295 bytes × 10 bits / 115200 baud',
      peerValue: theoreticalWire,
      goal: null,
    },
    {
      name: 'idcard: driver overhead per card read (placement → cardRead minus reader time, median)',
      value: round(median(rounds.map((r) => r.overhead)), 2),
      unit: 'ms',
      peer: null,
      peerValue: null,
      goal: { max: 10 },
    },
  ];
}

function parserThroughput(): BenchResult {
  const read = buildResponseFrame(0x90, encodeReadBase(encodeText(profiles[0]!.card), Buffer.alloc(1024, 0x5a)));
  const find = buildResponseFrame(0x9f, Buffer.alloc(4));
  const none = buildResponseFrame(0x80);
  const unit = Buffer.concat([read, find, none, find, none]);
  const stream = Buffer.concat(Array.from({ length: 2000 }, () => unit)); // ≈ 2.7 MB
  const chunk = 256;
  let bytes = 0;
  let frames = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    const p = createResponseParser();
    for (let off = 0; off < stream.length; off += chunk) {
      for (const e of p.push(stream.subarray(off, off + chunk))) if (e.type === 'frame') frames++;
    }
    bytes += stream.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (frames === 0) throw new Error('parser produced no frames');
  return {
    name: 'idcard: response parser throughput (256-byte chunks, mixed frames)',
    value: round(bytes / seconds / 1e6, 1),
    unit: 'MB/s',
    peer: 'line rate at 115200 baud',
    peerValue: round(BAUD / 10 / 1e6, 4),
    goal: null,
  };
}

export const run: Benchmark = async () => [...(await placementToRead()), parserThroughput()];
