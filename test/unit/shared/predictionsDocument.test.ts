// The Predict at... answers' document: every prediction one line of the list, whatever its run or column is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseTables } from '../../../src/core/analysis/analyse';
import { parseText } from '../../../src/core/table';
import { predictionsMarkdown } from '../../../src/shared/predictionsDocument';

const HOSTILE = 'a\n# heading [x](command:evil) `b`';

test('a run or column name with a line break or Markdown stays inside its prediction line, as text', () => {
  // Names were written raw: the line feed in a run name began a new line, here a heading, and the link was a link.
  const csv = ['run,step,lr,loss'];
  for (const [run, peak] of [
    [`"${HOSTILE.replace(/"/g, '""')}"`, 3e-4],
    ['plain', 2e-4],
  ] as const)
    for (let s = 100; s <= 5000; s += 100) csv.push(`${run},${s},${peak},${(2.5 + 3 * s ** -0.4).toFixed(5)}`);
  const loss = analyseTables([parseText(csv.join('\n'), { fileName: 'sweep.csv' })], {
    bootstrapSamples: 0,
    law: 'lr-annealing',
  });
  assert.ok(loss.predictions.some((p) => p.curve === HOSTILE));
  const power = ['"t\nokens [y](command:evil)",loss'];
  for (let x = 1; x <= 30; x++) power.push(`${x * 1e6},${(2 + 5 * (x * 1e6) ** -0.2).toFixed(5)}`);
  const law = analyseTables([parseText(power.join('\n'), { fileName: 'power.csv' })], {
    bootstrapSamples: 0,
    law: 'power',
    powerX: 't\nokens [y](command:evil)',
  });
  assert.ok(law.predictions.length > 0, JSON.stringify(law.findings));
  const text = predictionsMarkdown('runs/\n# x.csv', [
    { question: 'Loss at step 10k', predictions: loss.predictions },
    { question: 'Loss at tokens', predictions: law.predictions },
  ]);
  const lines = text.split('\n');
  assert.deepEqual(
    lines.filter((l) => l.startsWith('#')),
    ['# Scaling Lens predictions for runs\\/ \\# x\\.csv', '## Loss at step 10k', '## Loss at tokens'],
  );
  const items = lines.filter((l) => l.startsWith('- '));
  assert.equal(items.length, loss.predictions.length + law.predictions.length);
  assert.equal(lines.filter((l) => l !== '' && !/^(#|- |Each value)/.test(l)).length, 0, text);
  assert.ok(
    items.some((l) => l.startsWith('- a \\# heading \\[x\\]\\(command\\:evil\\) \\`b\\`: L(10k) = ')),
    text,
  );
  assert.ok(
    items.some((l) => l.includes('L(t okens \\[y\\]\\(command\\:evil\\) = ')),
    text,
  );
  assert.doesNotMatch(text, /\]\(command/);
});
