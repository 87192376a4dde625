// Hugging Face Trainer's trainer_state.json, recognised by its log_history key (json/document.ts reads it). An
// output_dir is one run: the Trainer writes a copy of the state into every checkpoint-N/ and, at the end, into the
// output_dir itself; each copy holds the whole history up to its step (a resumed run restores it and appends), so the
// copy with the largest global_step holds the others and is the one read. Which copy was read is said in the hints.
import { readdir, stat } from 'node:fs/promises';
import { withProblem } from '../table/read';
import { basename, dirname, join, resolve } from 'node:path';
import { readJsonDocument } from './json/document';
import { jsonShape } from './json/shape';
import { walkJsonBytes, type JsonPath, type JsonValue } from './json/walk';
import { positiveInteger } from './runHints';
import { readHead } from './scan';
import { PROBE_BYTES, type Probe, type Source, type SourceOptions } from './types';
import type { Table } from '../table/types';

const STATE = 'trainer_state.json';
const CHECKPOINT = /^checkpoint-(\d+)$/;

export const hfTrainerStateSource: Source = {
  format: 'hf-trainer-state',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return probe.entries.includes(STATE) || probe.entries.some((e) => CHECKPOINT.test(e));
    const shape = jsonShape(probe.head);
    if (shape === 'trainer-state') return true;
    // By content; the name only settles a first look cut before log_history shows (keys written before it).
    const cut = probe.head.length >= PROBE_BYTES;
    return probe.name === STATE && cut && (shape === 'other' || shape === 'columns');
  },
  async read(path, options) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) return [await readOutputDir(path, options)];
    const table = await readJsonDocument(path, options);
    // Every state file has the same name: the run is its output_dir (a file named otherwise goes by its own name).
    return [basename(path) === STATE ? { ...table, run: outputDirName(path) } : table];
  },
};

/** The output_dir of a state file: its folder, or the folder above a checkpoint-N. */
function outputDirName(path: string): string {
  const folder = dirname(resolve(path));
  return basename(CHECKPOINT.test(basename(folder)) ? dirname(folder) : folder);
}

interface Copy {
  path: string;
  /** Its global_step (from its first bytes), else the N of its checkpoint-N folder; -1 when neither is a step count. */
  step: number;
}

/** The global_step a state's first bytes give (Python sorts the keys: it comes before log_history), or null. */
async function globalStepOf(path: string): Promise<number | null> {
  let step: number | null = null;
  walkJsonBytes(
    await readHead(path),
    {
      enter: (at: JsonPath) => (at.length === 0 ? 'descend' : 'skip'),
      value: (at: JsonPath, value: JsonValue) => {
        // A step past 2^53, fractional or negative is no trainer's (a corrupt copy): it must not outrank the others.
        if (at.length === 1 && at[0] === 'global_step' && typeof value === 'number')
          step = positiveInteger(value) ?? null;
      },
      tooLarge: () => {},
    },
    false,
  );
  return step;
}

/** The copies of the state in an output_dir: its own and those of its checkpoint-N folders. */
async function copiesIn(dir: string): Promise<Copy[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found: { path: string; checkpoint: number }[] = [];
  if (names.includes(STATE)) found.push({ path: join(dir, STATE), checkpoint: -1 });
  for (const name of names) {
    const match = CHECKPOINT.exec(name);
    if (match === null) continue;
    const inner = await readdir(join(dir, name)).catch(() => [] as string[]);
    if (inner.includes(STATE))
      found.push({ path: join(dir, name, STATE), checkpoint: positiveInteger(match[1]) ?? -1 });
  }
  return Promise.all(found.map(async (c) => ({ path: c.path, step: (await globalStepOf(c.path)) ?? c.checkpoint })));
}

/** Reads the latest copy of an output_dir's state, saying which it was. */
async function readOutputDir(dir: string, options: SourceOptions): Promise<Table> {
  const copies = await copiesIn(dir);
  // The largest global_step; on a tie the output_dir's own copy (written last), then the first listed.
  const latest = copies.reduce<Copy | null>((best, c) => (best === null || c.step > best.step ? c : best), null);
  if (latest === null) return await readJsonDocument(join(dir, STATE), { ...options, reportAs: 'hf-trainer-state' });
  const table = await readJsonDocument(latest.path, { ...options, displayName: undefined });
  if (copies.length < 2) return table;
  const note =
    `${copies.length} copies of trainer_state.json (the output_dir's and its checkpoint-N/ folders'); the one with ` +
    `the largest global_step is read (${latest.path}): it holds the history of the others`;
  const hinted = { ...table, hints: { ...table.hints, notes: [...(table.hints?.notes ?? []), note] } };
  return withProblem(hinted, { code: 'run-hints', severity: 'info', line: 1, column: 1, message: note });
}
