// Running the scipy peers: is python3 with numpy and scipy there, and one job in, one JSON out.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { BENCH_DIR, SCRATCH_DIR as SCRATCH } from './paths';

let cached: { ok: true; version: string } | { ok: false; reason: string } | undefined;

/** python3 with numpy and scipy importable, or the reason the scipy peers are skipped. */
export function pythonPeer(): { ok: true; version: string } | { ok: false; reason: string } {
  if (cached) return cached;
  const python = process.env.PYTHON ?? 'python3';
  const probe = spawnSync(
    python,
    ['-c', 'import sys, numpy, scipy; print(sys.version.split()[0], numpy.__version__, scipy.__version__)'],
    { encoding: 'utf8' },
  );
  if (probe.error || probe.status !== 0) {
    cached = {
      ok: false,
      reason: `${python} with numpy and scipy is not available (${probe.error?.message ?? probe.stderr.trim().split('\n').pop()})`,
    };
  } else {
    const [py, np, sp] = probe.stdout.trim().split(' ');
    cached = { ok: true, version: `Python ${py}, numpy ${np}, scipy ${sp}` };
  }
  return cached;
}

/** Writes each Float64Array as raw little-endian doubles; returns name -> path for the job's `arrays`. */
export function writeArrays(prefix: string, arrays: Record<string, Float64Array>): Record<string, string> {
  mkdirSync(SCRATCH, { recursive: true });
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(arrays)) {
    const path = join(SCRATCH, `${prefix}-${name}.f64`);
    writeFileSync(path, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    out[name] = path;
  }
  return out;
}

/**
 * glibc settings that keep freed memory in the process. By default an array of 128 KiB or more is mapped fresh and
 * handed back to the OS when freed, so a numpy objective page-faults its temporaries in again at every call: on the
 * benchmark VM the multi-power objective (arrays of 51,000 terms) took 3-5 ms per evaluation, of which its numpy
 * arithmetic is 0.8 ms. A peer that loses time to the allocator would flatter us.
 */
export const KEEP_FREED_MEMORY = { MALLOC_MMAP_THRESHOLD_: String(32 << 20), MALLOC_TRIM_THRESHOLD_: String(32 << 20) };

/** Runs bench/<script> on the job (written as JSON); `env` adds to the peer's environment. */
export function runPython<T>(script: string, job: unknown, env: Record<string, string> = {}): T {
  mkdirSync(SCRATCH, { recursive: true });
  const jobPath = join(SCRATCH, `${script.replace(/\.py$/, '')}-job.json`);
  writeFileSync(jobPath, JSON.stringify(job));
  const python = process.env.PYTHON ?? 'python3';
  const run = spawnSync(python, [join(BENCH_DIR, script), jobPath], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    cwd: BENCH_DIR,
    // Single-threaded BLAS, like our single-threaded fits. With OpenBLAS's default threads on a busy 2-core machine
    // the peer's times became erratic (13 ms to 2 s for the same fit), which would flatter us.
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ...env },
  });
  if (run.status !== 0) throw new Error(`${script} failed: ${run.stderr || run.error?.message}`);
  const lines = run.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}
