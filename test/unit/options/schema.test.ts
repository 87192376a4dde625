// The options table is the only place a default is written: the analysis and settings defaults come from it, and
// each knob is named once per vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS } from '../../../src/core/analysis/options';
import type { LawId } from '../../../src/core/analysis/types';
import { FORMAT_OPTIONS, KNOBS, OPTION_SCHEMA } from '../../../src/core/options/schema';
import { settingsDefaults, type Settings } from '../../../src/core/options/settings';
import type { ColumnRole } from '../../../src/core/table/types';
import { DEFAULT_SETTINGS, type ScalingLensSettings } from '../../../src/shared/protocol';

test('DEFAULT_OPTIONS is the table: each analysis option at its row default, and no other key', () => {
  const fromTable = Object.fromEntries(
    KNOBS.filter((k) => k.option && k.default !== null).map((k) => [k.option, k.default]),
  );
  assert.deepEqual(DEFAULT_OPTIONS, fromTable);
  // The values the analysis has always had (a change here changes every fit: do it on purpose).
  assert.deepEqual(DEFAULT_OPTIONS, {
    law: 'auto',
    columns: {},
    seed: 1,
    bootstrapSamples: 200,
    fitOn: [],
    predictSteps: [],
    lambda: 0.999,
    warmupConvention: 'peak',
    lossDelta: 1e-3,
    sizes: {},
    dataMultipliers: [2],
    predictAt: [],
    breakTolerance: 1.0,
    fitFirst: 4,
    bleuDelta: 0.1,
    ceDelta: 1e-3,
    computeBudgets: [],
    chinchillaDelta: 1e-3,
    departureSigmas: 4,
    departurePoints: 20,
  });
});

test('DEFAULT_SETTINGS is the table: each setting at its row default, nested at its key', () => {
  assert.deepEqual(DEFAULT_SETTINGS, settingsDefaults());
  for (const knob of KNOBS) {
    if (!knob.setting) continue;
    const value = knob.setting.key
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], DEFAULT_SETTINGS);
    assert.deepEqual(value, knob.default, knob.setting.key);
  }
  // A setting and its flag set one option, so they share its default.
  assert.equal(DEFAULT_SETTINGS.fit.lambda, DEFAULT_OPTIONS.lambda);
  assert.deepEqual(DEFAULT_SETTINGS.predict.dataMultipliers, DEFAULT_OPTIONS.dataMultipliers);
});

test('every knob is reachable, and each name is used once per vocabulary', () => {
  for (const [id, knob] of Object.entries(OPTION_SCHEMA))
    assert.ok(knob.option || knob.setting || knob.flag, `${id} has no option, setting or flag`);
  const unique = (names: (string | undefined)[]) => {
    const given = names.filter((n): n is string => n !== undefined);
    assert.equal(new Set(given).size, given.length, given.join(', '));
  };
  unique(KNOBS.map((k) => k.option));
  unique(KNOBS.map((k) => k.setting?.key));
  unique(KNOBS.map((k) => k.flag?.name));
  for (const knob of KNOBS) {
    if (knob.flag) assert.match(knob.flag.name, /^[a-z]+(-[a-z]+)*$/);
    if (knob.setting) assert.match(knob.setting.key, /^[a-z][A-Za-z]*(\.[a-z][A-Za-z]*)*$/);
  }
});

test('every row default is a value its own kind accepts', () => {
  for (const [id, knob] of Object.entries(OPTION_SCHEMA)) {
    if (knob.default === null || (Array.isArray(knob.default) && knob.default.length === 0)) continue;
    if (knob.kind.arity === 'none') continue;
    assert.deepEqual(knob.kind.fromJson(knob.default), knob.default, id);
  }
});

// The settings type is derived from the table; this is the shape the server and the client rely on.
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type ExpectedSettings = {
  columns: Partial<Record<ColumnRole, string>>;
  law: 'auto' | LawId;
  format: (typeof FORMAT_OPTIONS)[number];
  autoFit: boolean;
  predict: { steps: number[]; dataMultipliers: number[]; computeBudgets: number[] };
  fit: {
    lambda: number | 'auto';
    warmupConvention: 'peak' | 'actual' | 'repository';
    warmupSteps: number | null;
    huberDelta: number;
    sizes: Record<string, number>;
    sizeExponent: number | null;
    powerX: string | null;
    departureSigmas: number;
    departurePoints: number;
    bleuHuberDelta: number;
    ceHuberDelta: number;
    bootstrapSamples: number;
  };
  breaks: { tolerance: number; fitFirst: number };
  maxFileSizeMB: number;
  trace: { server: 'off' | 'messages' | 'verbose' };
};
const settingsShape: Equals<Settings, ExpectedSettings> & Equals<ScalingLensSettings, Settings> = true;

test('the derived settings type has the expected shape (checked by the compiler)', () => {
  assert.equal(settingsShape, true);
});
