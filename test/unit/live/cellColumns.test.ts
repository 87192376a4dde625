// A followed run's cell findings carry their column as a fit's do (`scaling-lens watch`, the server's followed files):
// the rows that arrive by an update too, and a file rewritten with its lines moved is read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Follower } from '../../../src/core/live/follower';
import type { Finding } from '../../../src/core/analysis/types';
import { scratchDir } from '../../helpers/scratch';

const rowAt = (step: number, loss = String(2.5 + 4 * step ** -0.45)) => `${step},0.0003,${loss}\n`;

/** The loss-invalid findings' places: line, column and the column past the cell. */
const places = (findings: Finding[]) =>
  findings.filter((f) => f.code === 'loss-invalid').map((f) => [f.line, f.column, f.endColumn]);

test("a followed file's cell findings are located, those of appended rows too, and again after a rewrite", async () => {
  const path = join(scratchDir('scaling-lens-cells-'), 'run.csv');
  let text = 'step,lr,loss\n';
  for (let step = 100; step <= 4000; step += 100) text += rowAt(step, step === 1000 ? 'nan' : undefined);
  writeFileSync(path, text);
  const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0 } });
  // Line 11 is step 1000: `1000,0.0003,nan`, its loss from column 13 to 16.
  assert.deepEqual(places((await follower.update())!.analysis.findings), [[11, 13, 16]]);

  appendFileSync(path, rowAt(4100, '-2.5'));
  const appended = (await follower.update())!;
  assert.equal(appended.inputs[0].change, 'appended');
  assert.deepEqual(places(appended.analysis.findings), [
    [11, 13, 16],
    [42, 13, 17],
  ]);

  // Rewritten with a shorter LR cell on the bad row: its loss is found where it now is, not where it was.
  writeFileSync(path, text.replace('1000,0.0003,nan', '1000,3e-4,nan'));
  const rewritten = (await follower.update())!;
  assert.equal(rewritten.inputs[0].change, 'reread');
  assert.deepEqual(places(rewritten.analysis.findings), [[11, 11, 14]]);
});
