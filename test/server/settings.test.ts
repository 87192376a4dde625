// The server's settings module on its own: what VS Code sends for `scalingLens` (possibly half-edited) to checked
// settings, and settings plus a file's overrides to analysis options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, withDefaults } from '../../src/core/analysis/options';
import { DEFAULT_SETTINGS } from '../../src/shared/protocol';
import { resolveSettings, toAnalysisOptions } from '../../src/server/settings';

test('nothing sent, or not an object: every setting at its default', () => {
  for (const incoming of [undefined, null, {}, 5, 'x', []])
    assert.deepEqual(resolveSettings(incoming), DEFAULT_SETTINGS);
  assert.deepEqual(DEFAULT_SETTINGS, {
    columns: {},
    law: 'auto',
    format: 'auto',
    autoFit: true,
    predict: { steps: [], dataMultipliers: [2], computeBudgets: [] },
    fit: {
      lambda: 0.999,
      warmupConvention: 'peak',
      warmupSteps: null,
      huberDelta: 1e-3,
      sizes: {},
      powerX: null,
      sizeExponent: null,
      bleuHuberDelta: 0.1,
      ceHuberDelta: 1e-3,
      bootstrapSamples: 200,
      departureSigmas: 4,
      departurePoints: 20,
    },
    breaks: { tolerance: 1.0, fitFirst: 4 },
    maxFileSizeMB: 2048,
    trace: { server: 'off' },
  });
});

test('defaults give the analysis defaults', () => {
  assert.deepEqual(withDefaults(toAnalysisOptions(resolveSettings({}))), DEFAULT_OPTIONS);
});

test('values of the right kind are taken, nested as VS Code sends them', () => {
  const s = resolveSettings({
    law: 'bleu',
    autoFit: false,
    predict: { steps: [100000], dataMultipliers: [3, 4], computeBudgets: [1e21] },
    fit: {
      lambda: 0.99,
      warmupConvention: 'actual',
      warmupSteps: 500,
      huberDelta: 0.01,
      sizes: { csv_25: 25e6, bad: -1 },
      sizeExponent: 0.3,
      bleuHuberDelta: 0.2,
      ceHuberDelta: 0.002,
      bootstrapSamples: 0,
      departureSigmas: 3,
      departurePoints: 30,
    },
    breaks: { tolerance: 2, fitFirst: 5 },
    maxFileSizeMB: 10,
    trace: { server: 'verbose' },
  });
  assert.equal(s.autoFit, false);
  assert.equal(s.maxFileSizeMB, 10);
  assert.equal(s.trace.server, 'verbose');
  assert.deepEqual(toAnalysisOptions(s), {
    law: 'bleu',
    columns: {},
    predictSteps: [100000],
    dataMultipliers: [3, 4],
    computeBudgets: [1e21],
    lambda: 0.99,
    warmupConvention: 'actual',
    warmupSteps: 500,
    lossDelta: 0.01,
    sizes: { csv_25: 25e6 },
    sizeExponent: 0.3,
    bleuDelta: 0.2,
    ceDelta: 0.002,
    bootstrapSamples: 0,
    departureSigmas: 3,
    departurePoints: 30,
    breakTolerance: 2,
    fitFirst: 5,
  });
});

test('a value of the wrong type, out of range or not one of the choices is ignored: the default stands', () => {
  const s = resolveSettings({
    law: 'nope',
    autoFit: 'no',
    predict: 7,
    fit: {
      lambda: 5,
      warmupConvention: 'both',
      warmupSteps: 'x',
      huberDelta: -1,
      bleuHuberDelta: '0.2',
      ceHuberDelta: 0,
      bootstrapSamples: 1.5,
    },
    breaks: { tolerance: -1, fitFirst: 2 },
    maxFileSizeMB: '10',
    trace: { server: 'loud' },
    unknown: { setting: true },
  });
  assert.deepEqual(s, DEFAULT_SETTINGS);
  assert.deepEqual(resolveSettings({ fit: 'x', breaks: [], columns: 'loss' }), DEFAULT_SETTINGS);
  assert.deepEqual(resolveSettings({ fit: { warmupSteps: 0 } }), DEFAULT_SETTINGS);
});

test("lambda 'auto' is taken; any other word is not", () => {
  assert.equal(resolveSettings({ fit: { lambda: 'auto' } }).fit.lambda, 'auto');
  assert.equal(toAnalysisOptions(resolveSettings({ fit: { lambda: 'auto' } })).lambda, 'auto');
  assert.equal(resolveSettings({ fit: { lambda: 'Auto' } }).fit.lambda, 0.999);
});

test('warmupSteps null means no warmup given: the analysis option is left out', () => {
  const s = resolveSettings({ fit: { warmupSteps: null } });
  assert.equal(s.fit.warmupSteps, null);
  const options = toAnalysisOptions(s);
  assert.ok(!('warmupSteps' in options) || options.warmupSteps === undefined);
  assert.equal(withDefaults(options).warmupSteps, undefined);
  assert.equal(toAnalysisOptions(resolveSettings({ fit: { warmupSteps: 2160 } })).warmupSteps, 2160);
});

test('lists keep their positive numbers; an empty list is the default ([2] for data multipliers)', () => {
  const s = resolveSettings({ predict: { steps: [100, -1, 'x', 0, 200], dataMultipliers: [], computeBudgets: null } });
  assert.deepEqual(s.predict, { steps: [100, 200], dataMultipliers: [2], computeBudgets: [] });
  assert.deepEqual(resolveSettings({ predict: { dataMultipliers: [0, -2] } }).predict.dataMultipliers, [2]);
  assert.deepEqual(resolveSettings({ predict: { steps: {} } }).predict.steps, []);
  const options = toAnalysisOptions(resolveSettings({ predict: { dataMultipliers: [] } }));
  assert.deepEqual(options.dataMultipliers, [2]);
  assert.deepEqual(options.predictSteps, []);
});

test('the role map keeps known roles with text names, and a file overrides it role by role', () => {
  const s = resolveSettings({ columns: { loss: 'val/loss', lr: 5, colour: 'red', step: 'iter' } });
  assert.deepEqual(s.columns, { loss: 'val/loss', step: 'iter' });
  const options = toAnalysisOptions(s, { columns: { step: 'global_step', run: 'name' }, law: 'power' });
  assert.deepEqual(options.columns, { loss: 'val/loss', step: 'global_step', run: 'name' });
  assert.equal(options.law, 'power');
  assert.equal(toAnalysisOptions(s, {}).law, 'auto');
  assert.deepEqual(resolveSettings({ columns: null }).columns, {});
});

test('resolved settings share no list or object with the defaults (a caller may change its copy)', () => {
  const a = resolveSettings({});
  a.predict.dataMultipliers.push(8);
  a.columns.loss = 'x';
  assert.deepEqual(resolveSettings({}).predict.dataMultipliers, [2]);
  assert.deepEqual(DEFAULT_SETTINGS.columns, {});
  const options = toAnalysisOptions(resolveSettings({}));
  options.dataMultipliers!.push(8);
  assert.deepEqual(DEFAULT_OPTIONS.dataMultipliers, [2]);
});
