// 7. TensorBoard event files (#10): a generated event file of about 200 MB (4 million scalars: `train/loss` and
// `train/lr` at 2 million steps, simple_value, as PyTorch writes them) read by our source, against `wc -l` on the
// same file (the I/O floor) and against the same data as JSONL through our own text reader. Memory: peak RSS over an
// empty process, at the full file and at half of it, to show it follows the scalars kept, not the bytes.
//
// The budget (within 15x of wc -l) is on wall time, what a user waits for. The read as users get it (`tensorboard`)
// uses a second thread for a large file only when the load average leaves a core idle (split.ts), so the same read on
// one thread and in two threads whatever the load are measured beside it (the three alternated), with CPU time (a
// busy machine inflates it less than wall time) and the load average the run saw. Memory: the one-thread read at the full file and at half of
// it (the worker's isolate and its log in flight add to a read in two; its peak is shown beside).
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { maskedCrc32c } from '../src/core/sources/tensorboard/crc32c';
import { fmtMB, fmtMs, median, speedRatio, type BenchRow } from './report';
import type { TensorboardMode, TensorboardOutcome } from './tensorboardChild';
import { makeScratch, removeScratch } from '../test/helpers/scratch';

const TAGS = ['train/loss', 'train/lr'] as const;

/** The value of a tag at a step: a decaying loss with deterministic jitter, a cosine LR; float32 as logged. */
function valueAt(tag: number, step: number, steps: number): number {
  if (tag === 1) return Math.fround(3e-4 * (0.55 + 0.45 * Math.cos((Math.PI * step) / steps)));
  const jitter = (((step * 2654435761) >>> 0) / 2 ** 32 - 0.5) * 0.01;
  return Math.fround(2.2 + 1.5 * Math.pow(step, -0.3) + jitter);
}

/** Writes `steps` steps of both tags as an event file and the same data as JSONL; returns their sizes. */
export function writeWorkload(dir: string, steps: number): { events: string; jsonl: string; bytes: number } {
  const events = join(dir, `events.out.tfevents.1700000000.bench.${steps}.0`);
  const jsonl = join(dir, `same-data-${steps}.jsonl`);
  const ev = openSync(events, 'w');
  const js = openSync(jsonl, 'w');
  const buf = Buffer.alloc(1 << 22);
  let at = 0;
  let text = '';
  const tagBytes = TAGS.map((t) => Buffer.from(t));
  for (let s = 1; s <= steps; s++) {
    const values = TAGS.map((_, k) => valueAt(k, s, steps));
    for (let k = 0; k < TAGS.length; k++) {
      if (at > buf.length - 256) {
        writeSync(ev, buf, 0, at);
        at = 0;
      }
      at = writeRecord(buf, at, s, 1.7e9 + s / 10, tagBytes[k], values[k]);
    }
    text += `{"step":${s},"train/loss":${values[0]},"train/lr":${values[1]}}\n`;
    if (text.length > 1 << 20) {
      writeSync(js, text);
      text = '';
    }
  }
  writeSync(ev, buf, 0, at);
  writeSync(js, text);
  closeSync(ev);
  closeSync(js);
  return { events, jsonl, bytes: statSync(events).size };
}

function varint(buf: Buffer, at: number, v: number): number {
  while (v >= 0x80) {
    buf[at++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[at++] = v;
  return at;
}

/** One framed Event{wall_time, step, summary{value{tag, simple_value}}} at `at`; returns the end. */
function writeRecord(buf: Buffer, at: number, step: number, wall: number, tag: Buffer, value: number): number {
  const data = at + 12;
  let p = data;
  buf[p++] = 0x09; // wall_time, fixed64
  buf.writeDoubleLE(wall, p);
  p += 8;
  buf[p++] = 0x10; // step, varint
  p = varint(buf, p, step);
  const valueLength = 2 + tag.length + 5;
  buf[p++] = 0x2a; // summary
  buf[p++] = valueLength + 2;
  buf[p++] = 0x0a; // value
  buf[p++] = valueLength;
  buf[p++] = 0x0a; // tag
  buf[p++] = tag.length;
  tag.copy(buf, p);
  p += tag.length;
  buf[p++] = 0x15; // simple_value, fixed32
  buf.writeFloatLE(value, p);
  p += 4;
  const length = p - data;
  buf.writeUInt32LE(length, at);
  buf.writeUInt32LE(0, at + 4);
  buf.writeUInt32LE(maskedCrc32c(buf, at, at + 8), at + 8);
  buf.writeUInt32LE(maskedCrc32c(buf, data, p), p);
  return p + 4;
}

function child(script: string, mode: TensorboardMode, file: string): TensorboardOutcome {
  const run = spawnSync(process.execPath, ['--max-old-space-size=8192', script, mode, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (run.status !== 0) throw new Error(`tensorboard child ${mode} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as TensorboardOutcome;
}

/**
 * `wc -l` on the file after a warm-up: the best wall time of 5 runs of wc itself, and the best CPU time (user +
 * system, from bash's `time`, whose own start is not in it) of 5 more.
 */
function wcMs(file: string): { ms: number; cpuMs: number } {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < 6; r++) {
    const t0 = performance.now();
    if (spawnSync('wc', ['-l', file]).status !== 0) return { ms: NaN, cpuMs: NaN };
    if (r > 0) times.push(performance.now() - t0); // the first call only warms the page cache
  }
  for (let r = 0; r < 5; r++) {
    const out = spawnSync('bash', ['-c', 'TIMEFORMAT="%U %S"; time wc -l "$0" > /dev/null', file], {
      encoding: 'utf8',
    });
    const [user, sys] = out.stderr.trim().split(/\s+/).map(Number);
    cpu.push((user + sys) * 1000);
  }
  return { ms: Math.min(...times), cpuMs: Math.min(...cpu) };
}

export function tensorboardBench(script: string, options: { quick: boolean; log: (s: string) => void }): BenchRow[] {
  const steps = options.quick ? 50_000 : 2_000_000;
  const reps = options.quick ? 1 : 3;
  const dir = makeScratch('sl-bench-tb-');
  try {
    options.log(`  generating ${(2 * steps) / 1e6}M scalars (and half of them) into ${dir}`);
    const full = writeWorkload(dir, steps);
    const half = writeWorkload(dir, steps / 2);
    const wc = wcMs(full.events);
    const baseline = child(script, 'baseline', full.events);
    const load = loadavg()[0];
    options.log(`  ours, on one thread and in two, alternated (${reps}x each), load average ${load.toFixed(2)}`);
    // Alternated, so a change in the machine's load over the run falls on the three alike.
    const ours: TensorboardOutcome[] = [];
    const oneThread: TensorboardOutcome[] = [];
    const twoThreads: TensorboardOutcome[] = [];
    for (let r = 0; r < reps; r++) {
      ours.push(child(script, 'tensorboard', full.events));
      oneThread.push(child(script, 'tensorboard-one', full.events));
      twoThreads.push(child(script, 'tensorboard-two', full.events));
    }
    options.log('  half the file on one thread');
    const oneHalf = child(script, 'tensorboard-one', half.events);
    options.log('  the same data as JSONL');
    const jsonl = Array.from({ length: reps }, () => child(script, 'jsonl', full.jsonl));
    const loadAfter = loadavg()[0];
    const jsonlBytes = statSync(full.jsonl).size;
    const measured = { full, wc, baseline, ours, oneHalf, oneThread, twoThreads, jsonl, jsonlBytes };
    return rows({ ...measured, load: [load, loadAfter] });
  } finally {
    removeScratch(dir);
  }
}

interface Measured {
  full: { bytes: number };
  wc: { ms: number; cpuMs: number };
  baseline: TensorboardOutcome;
  /** The read as users get it: two threads only when a core is idle. */
  ours: TensorboardOutcome[];
  oneThread: TensorboardOutcome[];
  twoThreads: TensorboardOutcome[];
  /** Half the file on one thread, for memory. */
  oneHalf: TensorboardOutcome;
  jsonl: TensorboardOutcome[];
  jsonlBytes: number;
  /** The 1-minute load average before and after the reads. */
  load: [number, number];
}

function rows(m: Measured): BenchRow[] {
  const oursMs = median(m.ours.map((r) => r.ms));
  const jsonlMs = median(m.jsonl.map((r) => r.ms));
  const oursCpu = median(m.ours.map((r) => r.cpuMs));
  const oneMs = median(m.oneThread.map((r) => r.ms));
  const oneCpu = median(m.oneThread.map((r) => r.cpuMs));
  const twoMs = median(m.twoThreads.map((r) => r.ms));
  const twoCpu = median(m.twoThreads.map((r) => r.cpuMs));
  const cores = cpus().length;
  const busy = Math.max(...m.load) > cores;
  const loadNote = `load average ${m.load.map((l) => l.toFixed(1)).join('-')} on ${cores} cores`;
  const inTwo = m.ours.filter((r) => r.autoInTwo).length;
  const how = `${inTwo} of ${m.ours.length} reads in two threads`;
  const scalars = m.ours[0].scalars;
  const sameNumbers = [...m.ours, ...m.oneThread, ...m.twoThreads].every(
    (r) => r.rows === m.jsonl[0].rows && r.lossSum === m.jsonl[0].lossSum,
  );
  const label = `TensorBoard ${(m.full.bytes / 1e6).toFixed(0)} MB, ${(scalars / 1e6).toFixed(scalars >= 1e6 ? 1 : 3)}M scalars`;
  const extra = (r: TensorboardOutcome) => Math.max(0, r.maxRssMB - m.baseline.maxRssMB);
  const oneRss = Math.max(...m.oneThread.map(extra));
  const twoRss = Math.max(...m.twoThreads.map(extra));
  const bytesPerScalar = (oneRss * 2 ** 20) / scalars;
  const halfShare = extra(m.oneHalf) / oneRss;
  const data = { ...m, oursMs, jsonlMs, oneMs, twoMs, sameNumbers };
  return [
    {
      group: 7,
      workload: `${label}: wall time vs wc -l on it (I/O floor, warm cache; ${loadNote}; ${how})`,
      ours: fmtMs(oursMs),
      peer: fmtMs(m.wc.ms),
      ratio: `${(oursMs / m.wc.ms).toFixed(1)}x wc -l`,
      budget: '<= 15x wc -l',
      met: oursMs <= 15 * m.wc.ms,
      note: busy ? 'the machine was busy (load above its cores): wall times are mostly waiting' : undefined,
      data,
    },
    {
      group: 7,
      workload: `${label}: CPU time (user + system, every thread) vs wc -l's; on one thread`,
      ours: `${fmtMs(oursCpu)}; one thread ${fmtMs(oneCpu)}`,
      peer: fmtMs(m.wc.cpuMs),
      ratio: `${(oursCpu / m.wc.cpuMs).toFixed(1)}x; one thread ${(oneCpu / m.wc.cpuMs).toFixed(1)}x wc -l`,
      budget: '- (informational: what a quiet machine would wait for)',
      met: null,
    },
    {
      group: 7,
      workload: `${label}: two threads whatever the load vs one thread`,
      ours: `${fmtMs(twoMs)} (CPU ${fmtMs(twoCpu)})`,
      peer: `${fmtMs(oneMs)} (CPU ${fmtMs(oneCpu)})`,
      ratio: speedRatio(twoMs, oneMs),
      budget: '- (informational)',
      met: null,
    },
    {
      group: 7,
      workload: `${label}: time vs the same data as JSONL (${(m.jsonlBytes / 1e6).toFixed(0)} MB) through our reader`,
      ours: `${fmtMs(oursMs)} (${(m.full.bytes / 1e6 / (oursMs / 1000)).toFixed(0)} MB/s)`,
      peer: `${fmtMs(jsonlMs)} (${(m.jsonlBytes / 1e6 / (jsonlMs / 1000)).toFixed(0)} MB/s)`,
      ratio: speedRatio(oursMs, jsonlMs),
      budget: '- (informational)',
      met: null,
      note: sameNumbers ? undefined : 'the event file and the JSONL gave different numbers',
    },
    {
      group: 7,
      workload: `${label}: peak RSS over an empty process, one thread; half the file; two threads`,
      ours: `${fmtMB(oneRss)} (${bytesPerScalar.toFixed(0)} B/scalar); half: ${fmtMB(extra(m.oneHalf))}; two threads ${fmtMB(twoRss)}`,
      peer: `JSONL ${fmtMB(Math.max(...m.jsonl.map(extra)))}`,
      ratio: `half the scalars: ${halfShare.toFixed(2)} of the memory`,
      budget: '<= 100 B/scalar; half: 0.35-0.65',
      met: bytesPerScalar <= 100 && halfShare >= 0.35 && halfShare <= 0.65,
    },
  ];
}
