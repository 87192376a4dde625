// Command-line arguments to AnalysisOptions. Usage errors are values (exit code 2), never exceptions.
import { parseArgs } from 'node:util';
import type { AnalysisOptions } from '../core/analysis/options';
import type { LawId } from '../core/analysis/types';
import type { ColumnRole } from '../core/table/types';
import { parseNumberCell } from '../core/table/number';

export type Command = 'fit' | 'inspect' | 'help' | 'version';

export interface CliRequest {
  command: Command;
  files: string[];
  json: boolean;
  options: Partial<AnalysisOptions>;
  /** Forced delimiter for delimited files. */
  delimiter?: string;
}

export type Parsed = { ok: true; request: CliRequest } | { ok: false; error: string };

export const LAWS: readonly ('auto' | LawId)[] = [
  'auto',
  'lr-annealing',
  'bleu',
  'downstream-ce',
  'chinchilla',
  'power',
];
const ROLES: readonly ColumnRole[] = [
  'step',
  'loss',
  'lr',
  'run',
  'group',
  'pretrainData',
  'finetuneData',
  'bleu',
  'ce',
  'params',
  'tokens',
  'compute',
];

export const USAGE = `Usage:
  scaling-lens fit FILE... [options]      fit scaling laws and predict
  scaling-lens inspect FILE... [--json]   show what the tool sees in each file, without fitting

Options of fit:
  --law auto|lr-annealing|bleu|downstream-ce|chinchilla|power   (default auto: from the columns)
  --columns role=name,...        map columns to roles (${ROLES.join(', ')})
  --delimiter C                  force the field delimiter (',', ';', 'tab', '|')
  --json                         one JSON document on stdout
  --seed N                       seed of the bootstrap (default 1)
  --bootstrap N                  bootstrap refits behind bands and intervals (default 200; 0 = none)
 Loss curves (LR-annealing law):
  --fit-on NAME[,NAME...]        fit these curves only; predict and score the others
  --predict-step N               predict the loss at step N (repeatable; default: twice the last step)
  --lambda X|auto                annealing momentum decay (default 0.999)
  --warmup-convention peak|actual   how warmup enters S1 (default peak, the paper's)
  --warmup-steps N               a linear warmup from 0 ended at step N (for logs without warmup rows)
  --huber-delta X                Huber delta on log loss (default 1e-3)
 Downstream sweeps (BLEU / cross-entropy vs pretraining data):
  --predict-data-multiplier K    predict at K x the largest D_p (repeatable; default 2)
  --predict-at D_p=VALUE         predict at this D_p (repeatable; suffixes K, M, B, T allowed)
  --break-tolerance X            BLEU points a drop or shortfall must exceed to count (default 1.0)
  --fit-first K                  points in the prefix fit that judges later points (default 4, >= 3)
 (N, D) sweeps:
  --compute C                    report the compute-optimal N*, D* and loss at C FLOP (repeatable)
  --power-x NAME                 for --law power: the x column of L(x) = E + A*x^(-alpha)

Exit codes: 0 success, 1 nothing could be fitted, 2 usage error.`;

function number(flag: string, raw: string): number | string {
  const cell = parseNumberCell(raw.trim());
  if (!cell || !Number.isFinite(cell.value)) return `${flag} expects a number, got "${raw}"`;
  return cell.value;
}

/** Repeatable flags may also take comma-separated lists. */
function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function numbers(flag: string, values: string[] | undefined): number[] | string {
  const out: number[] = [];
  for (const raw of list(values)) {
    const v = number(flag, raw);
    if (typeof v === 'string') return v;
    out.push(v);
  }
  return out;
}

function columns(values: string[] | undefined): Partial<Record<ColumnRole, string>> | string {
  const out: Partial<Record<ColumnRole, string>> = {};
  for (const pair of list(values)) {
    const eq = pair.indexOf('=');
    const role = pair.slice(0, eq).trim() as ColumnRole;
    if (eq < 1 || !ROLES.includes(role))
      return `--columns expects role=name with role one of ${ROLES.join(', ')}; got "${pair}"`;
    out[role] = pair.slice(eq + 1).trim();
  }
  return out;
}

const DELIMITERS: Record<string, string> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  '|': '|',
  pipe: '|',
};

export function parseCli(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        json: { type: 'boolean' },
        law: { type: 'string' },
        columns: { type: 'string', multiple: true },
        delimiter: { type: 'string' },
        seed: { type: 'string' },
        bootstrap: { type: 'string' },
        'fit-on': { type: 'string', multiple: true },
        'predict-step': { type: 'string', multiple: true },
        lambda: { type: 'string' },
        'warmup-convention': { type: 'string' },
        'warmup-steps': { type: 'string' },
        'huber-delta': { type: 'string' },
        'predict-data-multiplier': { type: 'string', multiple: true },
        'predict-at': { type: 'string', multiple: true },
        'break-tolerance': { type: 'string' },
        'fit-first': { type: 'string' },
        compute: { type: 'string', multiple: true },
        'power-x': { type: 'string' },
      },
    });
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const { values: v, positionals } = parsed;
  if (v.version) return { ok: true, request: { command: 'version', files: [], json: false, options: {} } };
  const [commandWord, ...files] = positionals;
  if (v.help || !commandWord) return { ok: true, request: { command: 'help', files: [], json: false, options: {} } };
  if (commandWord !== 'fit' && commandWord !== 'inspect')
    return { ok: false, error: `unknown command "${commandWord}" (expected fit or inspect)` };
  if (files.length === 0) return { ok: false, error: `${commandWord} needs at least one FILE` };

  const options: Partial<AnalysisOptions> = {};
  const fail = (error: string): Parsed => ({ ok: false, error });
  if (v.law !== undefined) {
    if (!LAWS.includes(v.law as LawId)) return fail(`--law must be one of ${LAWS.join(', ')}`);
    options.law = v.law as AnalysisOptions['law'];
  }
  const cols = columns(v.columns);
  if (typeof cols === 'string') return fail(cols);
  options.columns = cols;
  for (const [flag, key, check] of [
    ['seed', 'seed', (x: number) => Number.isInteger(x)],
    ['bootstrap', 'bootstrapSamples', (x: number) => Number.isInteger(x) && x >= 0],
    ['warmup-steps', 'warmupSteps', (x: number) => Number.isInteger(x) && x >= 1],
    ['huber-delta', 'lossDelta', (x: number) => x > 0],
    ['break-tolerance', 'breakTolerance', (x: number) => x >= 0],
    ['fit-first', 'fitFirst', (x: number) => Number.isInteger(x) && x >= 3],
  ] as const) {
    const raw = v[flag];
    if (raw === undefined) continue;
    const value = number(`--${flag}`, raw);
    if (typeof value === 'string') return fail(value);
    if (!check(value)) return fail(`--${flag}: ${raw} is out of range`);
    (options as Record<string, number>)[key] = value;
  }
  if (v.lambda !== undefined) {
    if (v.lambda === 'auto') options.lambda = 'auto';
    else {
      const value = number('--lambda', v.lambda);
      if (typeof value === 'string') return fail(value);
      if (!(value > 0 && value < 1)) return fail('--lambda must be between 0 and 1 (the paper uses 0.999), or auto');
      options.lambda = value;
    }
  }
  if (v['warmup-convention'] !== undefined) {
    if (v['warmup-convention'] !== 'peak' && v['warmup-convention'] !== 'actual')
      return fail('--warmup-convention must be peak or actual');
    options.warmupConvention = v['warmup-convention'];
  }
  options.fitOn = list(v['fit-on']);
  for (const [flag, key] of [
    ['predict-step', 'predictSteps'],
    ['predict-data-multiplier', 'dataMultipliers'],
    ['compute', 'computeBudgets'],
  ] as const) {
    if (v[flag] === undefined) continue;
    const values = numbers(`--${flag}`, v[flag]);
    if (typeof values === 'string') return fail(values);
    if (values.some((x) => !(x > 0))) return fail(`--${flag} values must be > 0`);
    options[key] = values;
  }
  if (v['predict-at'] !== undefined) {
    const values = numbers(
      '--predict-at',
      list(v['predict-at']).map((s) => s.replace(/^D_p\s*=/i, '')),
    );
    if (typeof values === 'string') return fail(values);
    options.predictAt = values;
  }
  if (v['power-x'] !== undefined) options.powerX = v['power-x'];
  let delimiter: string | undefined;
  if (v.delimiter !== undefined) {
    delimiter = DELIMITERS[v.delimiter] ?? (v.delimiter.length === 1 ? v.delimiter : undefined);
    if (!delimiter) return fail(`--delimiter must be one character or one of comma, semicolon, tab, pipe`);
  }
  return { ok: true, request: { command: commandWord, files, json: Boolean(v.json), options, delimiter } };
}
