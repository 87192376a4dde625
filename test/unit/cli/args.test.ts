// The CLI's flags come from the options table: the help lists each with its default, and each parses to its option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, unusedKindFlags, USAGE, wantsJson, type CliRequest } from '../../../src/cli/args';
import { KNOBS } from '../../../src/core/options/schema';

function request(...flags: string[]): CliRequest {
  const parsed = parseCli(['fit', 'a.csv', ...flags]);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.request;
}

function usageLine(flag: string): string {
  const line = USAGE.split('\n').find((l) => l.startsWith(`  --${flag} `) || l === `  --${flag}`);
  assert.ok(line, `USAGE has no line for --${flag}`);
  return line;
}

/** For each flag: arguments, and what the request must then hold. A flag added to the table must be added here. */
const ROUND_TRIPS: Record<string, { args: string[]; expect: (r: CliRequest) => unknown; value: unknown }> = {
  columns: {
    args: ['--columns', 'loss=val,lr=eta', '--columns', 'step=it'],
    expect: (r) => r.options.columns,
    value: { loss: 'val', lr: 'eta', step: 'it' },
  },
  law: { args: ['--law', 'chinchilla'], expect: (r) => r.options.law, value: 'chinchilla' },
  delimiter: { args: ['--delimiter', 'space'], expect: (r) => r.delimiter, value: ' ' },
  format: { args: ['--format', 'tensorboard'], expect: (r) => r.format, value: 'tensorboard' },
  json: { args: ['--json'], expect: (r) => r.json, value: true },
  // Kept whole: whether `a,b` is one run's name or two names, only the curves tell (resolveFitOn).
  'fit-on': {
    args: ['--fit-on', 'a,b', '--fit-on', 'c', '--fit-on', ' , '],
    expect: (r) => r.options.fitOn,
    value: ['a,b', 'c'],
  },
  'predict-step': {
    args: ['--predict-step', '100k', '--predict-step', '2e5'],
    expect: (r) => r.options.predictSteps,
    value: [1e5, 2e5],
  },
  'predict-data-multiplier': {
    args: ['--predict-data-multiplier', '2,4'],
    expect: (r) => r.options.dataMultipliers,
    value: [2, 4],
  },
  'predict-at': {
    args: ['--predict-at', 'D_p=1B', '--predict-at', '2e9'],
    expect: (r) => r.options.predictAt,
    value: [1e9, 2e9],
  },
  compute: { args: ['--compute', '1e21,5.76e23'], expect: (r) => r.options.computeBudgets, value: [1e21, 5.76e23] },
  lambda: { args: ['--lambda', 'auto'], expect: (r) => r.options.lambda, value: 'auto' },
  'warmup-convention': {
    args: ['--warmup-convention', 'actual'],
    expect: (r) => r.options.warmupConvention,
    value: 'actual',
  },
  'warmup-steps': { args: ['--warmup-steps', '2160'], expect: (r) => r.options.warmupSteps, value: 2160 },
  size: {
    args: ['--size', 'csv_25=25e6,csv_100/cosine=100M', '--size', 'a=b=4e8'],
    expect: (r) => r.options.sizes,
    value: { csv_25: 25e6, 'csv_100/cosine': 1e8, 'a=b': 4e8 },
  },
  'size-exponent': { args: ['--size-exponent', '0.3'], expect: (r) => r.options.sizeExponent, value: 0.3 },
  'departure-sigmas': { args: ['--departure-sigmas', '3.5'], expect: (r) => r.options.departureSigmas, value: 3.5 },
  'departure-points': { args: ['--departure-points', '12'], expect: (r) => r.options.departurePoints, value: 12 },
  'huber-delta': { args: ['--huber-delta', '0.01'], expect: (r) => r.options.lossDelta, value: 0.01 },
  seed: { args: ['--seed', '7'], expect: (r) => r.options.seed, value: 7 },
  bootstrap: { args: ['--bootstrap', '1k'], expect: (r) => r.options.bootstrapSamples, value: 1000 },
  'break-tolerance': { args: ['--break-tolerance', '0'], expect: (r) => r.options.breakTolerance, value: 0 },
  'fit-first': { args: ['--fit-first', '3'], expect: (r) => r.options.fitFirst, value: 3 },
  'power-x': { args: ['--power-x', 'step'], expect: (r) => r.options.powerX, value: 'step' },
  deadline: { args: ['--deadline', '2.5'], expect: (r) => r.deadline, value: 2.5 },
};

test('every flag of the table parses to its option (and no flag is left untested)', () => {
  const flags = KNOBS.flatMap((k) => (k.flag ? [k.flag.name] : []));
  assert.deepEqual(Object.keys(ROUND_TRIPS).sort(), [...flags].sort());
  for (const [flag, trip] of Object.entries(ROUND_TRIPS))
    assert.deepEqual(trip.expect(request(...trip.args)), trip.value, `--${flag}`);
});

test('flags not given leave their options out (the analysis applies its defaults)', () => {
  const r = request();
  assert.deepEqual(r.options, {});
  assert.equal(r.json, false);
  assert.equal(r.delimiter, undefined);
});

test('the help lists every flag of the table, with its default and "repeatable" where they apply', () => {
  for (const knob of KNOBS) {
    if (!knob.flag) continue;
    const line = usageLine(knob.flag.name);
    if (knob.kind.arity === 'many') assert.match(line, /\(repeatable/, line);
    const shown = /default ([^;)\s]+)/.exec(line)?.[1];
    const scalar = typeof knob.default === 'number' || (typeof knob.default === 'string' && knob.default !== '');
    if (scalar) assert.equal(Number.isNaN(Number(shown)) ? shown : Number(shown), knob.default, line);
  }
  assert.match(usageLine('lambda'), /--lambda X\|auto +annealing momentum decay.*\(default 0\.999\)/);
  assert.match(usageLine('predict-data-multiplier'), /\(repeatable; default 2\)/);
  assert.match(usageLine('delimiter'), /comma, semicolon, tab, pipe, space/);
  assert.match(USAGE, /^ Loss curves \(LR-annealing law\):$/m);
});

test('a bad value is a usage error that names the flag and says what it takes', () => {
  const error = (...flags: string[]) => {
    const parsed = parseCli(['fit', 'a.csv', ...flags]);
    assert.equal(parsed.ok, false, flags.join(' '));
    return parsed.ok ? '' : parsed.error;
  };
  assert.equal(error('--fit-first', '2'), '--fit-first must be an integer >= 3; got "2"');
  assert.equal(error('--lambda', '1'), '--lambda must be a number > 0 and < 1, or auto; got "1"');
  assert.match(error('--law', 'nope'), /^--law must be one of auto, lr-annealing, .*power; got "nope"$/);
  assert.match(error('--predict-step', '100,-1'), /^--predict-step must be integers >= 1 and <= 2\^53 - 1; got "-1"$/);
  // A step below 1 rounds to step 0: it fell back to the default target, reported as the one configured.
  assert.match(error('--predict-step', '0.3'), /^--predict-step must be integers >= 1 and <= 2\^53 - 1; got "0.3"$/);
  // Steps are counted: 1.5 is a typo, and was predicted as L(2) without a word.
  assert.match(error('--predict-step', '1.5'), /^--predict-step must be integers >= 1 and <= 2\^53 - 1; got "1.5"$/);
  // Past 2^53 no run has a step (the data's rule, step-implausible): 1e308 printed L(1e308).
  for (const big of ['1e308', '9007199254740992'])
    assert.equal(error('--predict-step', big), `--predict-step must be integers >= 1 and <= 2^53 - 1; got "${big}"`);
  assert.match(error('--seed', '1.5'), /^--seed must be an integer/);
  assert.match(error('--delimiter', 'xx'), /^--delimiter must be one character or one of comma, .*space/);
  assert.match(error('--columns', 'colour=x'), /^--columns must be role=name with role one of step, loss/);
  assert.match(error('--nope'), /Unknown option '--nope'/);
  // node named only `-w` of a file `-weird.csv`, the rest of the word taken for more short flags.
  assert.equal(
    error('-weird.csv'),
    'unknown option "-weird.csv"; a file or folder whose name starts with "-" goes after "--" (scaling-lens fit -- "-weird.csv") or as "./-weird.csv"',
  );
  assert.equal(parseCli(['fit', '--', '-weird.csv']).ok, true);
  // Past a timer's 2^31 - 1 ms the deadline fired at once: the command stopped as it began, with exit code 3.
  assert.equal(error('--deadline', '1e12'), '--deadline must be a number > 0 and <= 2147483; got "1e12"');
  assert.equal(request('--deadline', '2147483').deadline, 2_147_483);
  // Without a cap, a billion refits ran until --deadline stopped them.
  assert.equal(error('--bootstrap', '1e9'), '--bootstrap must be an integer >= 0 and <= 10000; got "1e9"');
  assert.equal(request('--bootstrap', '10k').options.bootstrapSamples, 10_000);
  // One curve's size given twice with two values is refused (the last one was used without a word); the same twice is not.
  assert.equal(
    error('--size', 'a=25e6', '--size', 'a=50e6'),
    '--size gives "a" two values, 25000000 and 50000000; give it once',
  );
  assert.deepEqual(request('--size', 'a=25e6,a=25M').options.sizes, { a: 25e6 });
});

test('a single-value flag given twice keeps the last', () => {
  assert.equal(request('--lambda', '0.9', '--lambda', '0.99').options.lambda, 0.99);
});

test('--power-x is used whenever --law power is, whatever kind the input is, and said unused without it', () => {
  const withLaw = parseCli(['fit', 'metrics.csv', '--law', 'power', '--power-x', 'step']);
  assert.ok(withLaw.ok);
  assert.deepEqual(unusedKindFlags(withLaw.request, ['loss-curve']), []);
  const without = parseCli(['fit', 'metrics.csv', '--power-x', 'step']);
  assert.ok(without.ok);
  const notes = unusedKindFlags(without.request, ['compute']);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^--power-x applies to --law power only/);
});

test("--predict-at and --predict-data-multiplier set the power law's targets on a loss curve: used, not said unused", () => {
  const flags = ['--predict-at', '100k', '--predict-data-multiplier', '4'];
  const power = parseCli(['fit', 'run.csv', '--law', 'power', '--power-x', 'step', ...flags]);
  assert.ok(power.ok);
  assert.deepEqual(unusedKindFlags(power.request, ['loss-curve']), []);
  const auto = parseCli(['fit', 'run.csv', ...flags]);
  assert.ok(auto.ok);
  assert.equal(unusedKindFlags(auto.request, ['loss-curve']).length, 2);
});

test('help and version need no file', () => {
  for (const argv of [[], ['--help'], ['-h'], ['fit', '--help']])
    assert.deepEqual(parseCli(argv), { ok: true, request: { command: 'help', files: [], json: false, options: {} } });
  const version = parseCli(['--version']);
  assert.ok(version.ok && version.request.command === 'version');
});

test('a flag for a kind of file no input is says it was not used; flags of the kinds read are silent', () => {
  const parsed = parseCli(['fit', 'a.csv', '--predict-at', '4B', '--predict-step', '2000', '--fit-first', '3']);
  assert.ok(parsed.ok);
  const onLoss = unusedKindFlags(parsed.request, ['loss-curve']);
  assert.deepEqual(
    onLoss.map((n) => n.split(' ')[0]),
    ['--predict-at', '--fit-first'],
  );
  assert.match(onLoss[0], /downstream sweeps .* not used/);
  assert.deepEqual(unusedKindFlags(parsed.request, ['loss-curve', 'downstream']), []);
  const general = parseCli(['fit', 'a.csv', '--json']);
  assert.ok(general.ok);
  assert.deepEqual(unusedKindFlags(general.request, ['unknown']), [], 'general flags apply to every kind');
});

test('the help lists --power-x under the power law, which fits any file, not under (N, D) sweeps', () => {
  const lines = USAGE.split('\n');
  const at = lines.findIndex((l) => l.startsWith('  --power-x '));
  const heading = lines
    .slice(0, at)
    .filter((l) => /^ \S.*:$/.test(l))
    .pop();
  assert.equal(heading, ' The power law (--law power, any file):');
});

test('--json is seen before parsing, so a usage error can answer in JSON; after `--` it is a file name', () => {
  assert.equal(wantsJson(['fit', '--bogus', '--json']), true);
  assert.equal(wantsJson(['fit', 'a.csv']), false);
  assert.equal(wantsJson(['fit', '--', '--json']), false);
});
