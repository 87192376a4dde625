// What a run's own configuration says about its schedule: Lightning's hparams.yaml and MLflow's params name the
// planned steps, the warmup and the schedule when the user logged them. Read here once for every source: the YAML
// files with a maintained parser (Python-only tags such as !!python/tuple read as plain values), the settings found by
// their usual names at any depth, and one info problem that shows them to the user.
import { LineCounter, parseDocument } from 'yaml';
import { describeFsError, formatBytes, type ProblemLog } from '../table/problems';
import type { TableHints } from '../table/types';
import { readSmallFile } from './regularFile';
import { asError } from '../util/errors';
import { isStepCount } from '../util/counts';

/** Configuration files larger than this are not parsed: a run's settings are a few KiB, a dataset listing is not. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** Levels of nesting searched for settings (Hydra configs nest trainer, optimizer, scheduler two or three deep). */
const MAX_DEPTH = 6;

/** Values looked at in all, so a config of a million entries costs a bounded walk. */
const MAX_VALUES = 20_000;

/** Names (normalised: lower case, '-' and '.' as '_') of the settings, in order of preference. */
const MAX_STEP_KEYS = ['max_steps', 'total_steps', 'num_training_steps', 'train_steps', 'max_iters', 'train_iters'];
const WARMUP_KEYS = ['warmup_steps', 'num_warmup_steps', 'lr_warmup_steps', 'warmup_iters', 'lr_warmup_iters'];
const NOTE_KEYS = [
  'lr_scheduler_type',
  'lr_scheduler',
  'scheduler',
  'lr_schedule',
  'schedule',
  'lr_decay_style',
  'decay_style',
  'learning_rate',
  'lr',
  'max_lr',
  'min_lr',
  'warmup_ratio',
  'max_epochs',
];

export type ConfigRead = { config: unknown; ok: true } | { ok: false };

/**
 * Parses a YAML file; a file that cannot be read or parsed is a warning on the log (with its line and column), and
 * the run is read without it. A file that is not `required` may be absent without a word. Python-only tags (`!!python/tuple`, `!!python/object`) read as the plain collections
 * they tag.
 */
export async function readYamlFile(
  path: string,
  display: string,
  log: ProblemLog,
  required = true,
): Promise<ConfigRead> {
  const read = await readSmallFile(path, display, MAX_CONFIG_BYTES);
  if (!('text' in read)) {
    if (read.reason === 'missing' && !required) return { ok: false };
    const message =
      read.reason === 'not-regular'
        ? read.message
        : read.reason === 'too-large'
          ? `${display} is not read: ${formatBytes(read.size)} is too large for a config`
          : describeFsError(read.error, display);
    log.addForFile('run-config-invalid', 'warning', 1, 1, message);
    return { ok: false };
  }
  const { text } = read;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  // A finding about the YAML's text is said in that file, at its line and column (not at the run's metrics).
  const inFile = { file: display };
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const at = lines.linePos(error.pos[0]);
    // The parser recurses per level: a value nested some thousand levels deep exhausts its stack (valid YAML).
    const why =
      error.code === 'RESOURCE_EXHAUSTION'
        ? 'nested too deep for the YAML parser to read'
        : `not valid YAML (${error.message.split('\n')[0]})`;
    log.addForFile(
      'run-config-invalid',
      'warning',
      at.line,
      at.col,
      `${display}, line ${at.line}, column ${at.col}: ${why}; the run is read without it`,
      inFile,
    );
    return { ok: false };
  }
  try {
    return { ok: true, config: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    // An alias bomb or a cyclic alias: the parser refuses to expand it.
    const detail = asError(error).message;
    log.addForFile('run-config-invalid', 'warning', 1, 1, `${display}: could not be read (${detail})`, inFile);
    return { ok: false };
  }
}

function normaliseKey(key: string): string {
  return key
    .trim()
    .toLowerCase()
    .replace(/[-.\s]+/g, '_');
}

/** Every (key, scalar value) pair of a config, depth first, within the walk's bounds. */
function scalars(config: unknown): Map<string, (string | number | boolean)[]> {
  const found = new Map<string, (string | number | boolean)[]>();
  let seen = 0;
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    const entries = Array.isArray(value) ? [] : Object.entries(value as Record<string, unknown>);
    for (const [key, v] of entries) {
      if (++seen > MAX_VALUES) return;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        const k = normaliseKey(key);
        const list = found.get(k) ?? [];
        list.push(v);
        found.set(k, list);
      } else walk(v, depth + 1);
    }
  };
  walk(config, 0);
  return found;
}

/**
 * A step count a run's files state (max_steps, total_steps, warmup), from a number or its text ("10_000", "1e4"), by
 * the rule for every step (isStepCount); undefined otherwise (Lightning's -1): 1e300 or 2.5 is not a plan to predict at.
 */
export function positiveInteger(value: string | number | boolean): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(/_/g, '')) : NaN;
  return isStepCount(n) ? n : undefined;
}

function firstInteger(found: Map<string, (string | number | boolean)[]>, keys: readonly string[]): number | undefined {
  for (const key of keys)
    for (const v of found.get(key) ?? []) {
      const n = positiveInteger(v);
      if (n !== undefined) return n;
    }
  return undefined;
}

/** The schedule hints of a config (a parsed hparams.yaml, a record of MLflow params); null when it states none. */
export function hintsFromConfig(config: unknown): TableHints | null {
  const found = scalars(config);
  const maxSteps = firstInteger(found, MAX_STEP_KEYS);
  const warmupSteps = firstInteger(found, WARMUP_KEYS);
  const notes: string[] = [];
  for (const key of NOTE_KEYS) {
    const value = found.get(key)?.[0];
    if (value !== undefined && String(value).trim() !== '') notes.push(`${key}: ${String(value).slice(0, 80)}`);
  }
  if (maxSteps === undefined && warmupSteps === undefined && notes.length === 0) return null;
  return { ...(maxSteps !== undefined && { maxSteps }), ...(warmupSteps !== undefined && { warmupSteps }), notes };
}

/** Shows the hints to the user, as one info problem naming where they came from. */
export function reportHints(hints: TableHints, from: string, log: ProblemLog): void {
  const parts = [
    ...(hints.maxSteps !== undefined ? [`max_steps: ${hints.maxSteps}`] : []),
    ...(hints.warmupSteps !== undefined ? [`warmup steps: ${hints.warmupSteps}`] : []),
    ...hints.notes,
  ];
  log.addForFile('run-hints', 'info', 1, 1, `the run's configuration (${from}) says ${parts.join(', ')}`);
}
