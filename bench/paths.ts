// Where the bench lives, whether this code runs from bench/ (tsx) or bundled into bench/results/.build/ (esbuild).
import { basename, join, resolve } from 'node:path';

export const BENCH_DIR = basename(__dirname) === '.build' ? resolve(__dirname, '..', '..') : __dirname;
export const REPO_DIR = resolve(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const BUILD_DIR = join(RESULTS_DIR, '.build');
export const SCRATCH_DIR = join(RESULTS_DIR, '.scratch');
export const WORKLOAD_DIR = join(BENCH_DIR, 'workloads');
export const SHARED_DATA = resolve(REPO_DIR, '..', 'shared', 'data');
