// A setting and its flag take the same values: the kind reads JSON and command-line text alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delimiterChar, numberList, optionalText, orNull, numberIn, roleMap } from '../../../src/core/options/kinds';
import { COLUMN_ROLES, KNOBS } from '../../../src/core/options/schema';
import { DELIMITER_NAMES, delimiterFromName } from '../../../src/core/table/delimiterNames';

const PROBES: unknown[] = [-1, 0, 1e-3, 0.5, 0.999, 1, 1.5, 2, 3, 4, 2048, 'auto', 'peak', 'actual', 'bleu', 'x', ''];

test('for every knob with a setting and a flag, JSON and flag text accept the same scalar values', () => {
  for (const knob of KNOBS.filter((k) => k.setting && k.flag && k.kind.arity === 'one')) {
    for (const probe of PROBES) {
      const fromJson = knob.kind.fromJson(probe);
      const fromArgs = knob.kind.fromArgs([String(probe)]);
      const label = `${knob.flag!.name} ${JSON.stringify(probe)}`;
      if (fromJson === undefined) assert.equal(fromArgs.ok, false, label);
      else assert.deepEqual(fromArgs, { ok: true, value: fromJson }, label);
    }
  }
});

test('for every list knob, a JSON list and comma-separated flag text give the same list', () => {
  for (const knob of KNOBS.filter((k) => k.setting && k.flag && k.kind.schema.type === 'array')) {
    const json = knob.kind.fromJson([1, 2, 3000]);
    assert.deepEqual(knob.kind.fromArgs(['1,2', '3k']), { ok: true, value: json }, knob.flag!.name);
  }
});

test('lists: settings drop items that do not fit (an empty list counts as not given), flags refuse them', () => {
  const positive = numberList({ positive: true });
  assert.deepEqual(positive.fromJson([3, -1, 'x', 0, 5]), [3, 5]);
  assert.equal(positive.fromJson([]), undefined);
  assert.equal(positive.fromJson([0]), undefined);
  assert.equal(positive.fromJson('3'), undefined);
  assert.deepEqual(positive.fromArgs(['']), { ok: true, value: [] });
  assert.equal(positive.fromArgs(['3,-1']).ok, false);
  // Counted things (steps): a fraction is dropped from a setting and refused as a flag.
  const steps = numberList({ positive: true, min: 1, integer: true });
  assert.deepEqual(steps.fromJson([1, 2.5, 3000]), [1, 3000]);
  assert.deepEqual(steps.fromArgs(['2.5']), { ok: false, message: 'must be integers >= 1; got "2.5"' });
  assert.deepEqual(steps.schema, { type: 'array', items: { type: 'integer', minimum: 1 } });
  const prefixed = numberList({ positive: false, prefix: /^D_p\s*=/i });
  assert.deepEqual(prefixed.fromArgs(['D_p=1B', 'd_p = 2M,-3']), { ok: true, value: [1e9, 2e6, -3] });
});

test('numbers: ranges, integers, suffixes, and messages that say what fits without naming the flag', () => {
  const fitFirst = numberIn({ integer: true, min: 3 });
  assert.deepEqual(fitFirst.fromArgs(['3']), { ok: true, value: 3 });
  assert.deepEqual(fitFirst.fromArgs(['1k']), { ok: true, value: 1000 });
  assert.deepEqual(fitFirst.fromArgs(['2']), { ok: false, message: 'must be an integer >= 3; got "2"' });
  assert.equal(fitFirst.fromJson(3.5), undefined);
  assert.equal(fitFirst.fromJson(Infinity), undefined);
  assert.deepEqual(fitFirst.schema, { type: 'integer', minimum: 3 });
  const nullable = orNull(fitFirst);
  assert.equal(nullable.fromJson(null), null);
  assert.deepEqual(nullable.schema, { type: ['integer', 'null'], minimum: 3 });
});

test('role maps: known roles with text names; flags role=name, repeatable and comma-separated', () => {
  const roles = roleMap(COLUMN_ROLES);
  assert.deepEqual(roles.fromJson({ loss: 'a', lr: 3, colour: 'b' }), { loss: 'a' });
  assert.equal(roles.fromJson(['loss']), undefined);
  assert.deepEqual(roles.fromArgs(['loss=val/loss, lr = eta', 'step=it']), {
    ok: true,
    value: { loss: 'val/loss', lr: 'eta', step: 'it' },
  });
  assert.equal(roles.fromArgs(['=x']).ok, false);
  assert.equal(roles.fromArgs(['colour=x']).ok, false);
});

test('delimiter names: one table, case-insensitive, with space; any single character stands for itself', () => {
  assert.deepEqual(DELIMITER_NAMES, { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|', space: ' ' });
  assert.equal(delimiterFromName('SPACE'), ' ');
  assert.equal(delimiterFromName('Tab'), '\t');
  assert.equal(delimiterFromName('A'), 'A');
  assert.deepEqual(delimiterChar.fromArgs(['space']), { ok: true, value: ' ' });
  assert.deepEqual(delimiterChar.fromArgs([';']), { ok: true, value: ';' });
  assert.equal(delimiterChar.fromArgs(['xx']).ok, false);
  assert.equal(delimiterChar.fromArgs(['']).ok, false);
  assert.match(delimiterChar.expects, /comma, semicolon, tab, pipe, space/);
});

test('optional text: empty or blank (a cleared box in the settings editor) and null are none; numbers are names', () => {
  for (const none of [null, '', '   ']) assert.equal(optionalText.fromJson(none), null, JSON.stringify(none));
  assert.equal(optionalText.fromJson('tokens'), 'tokens');
  assert.equal(optionalText.fromJson(2020), '2020');
  assert.equal(optionalText.fromJson(true), undefined);
  assert.deepEqual(optionalText.schema, { type: 'string' });
  assert.deepEqual(optionalText.fromArgs(['tokens']), { ok: true, value: 'tokens' });
  assert.deepEqual(optionalText.fromArgs(['']), { ok: true, value: null });
});
