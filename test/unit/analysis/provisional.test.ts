// A provisional first answer (finishAnalysisWith, the language server's first lens on a long auto-law log) from
// tables collected once: it is the forced law's own analysis, flagged, and the full analysis that follows it from the
// same tables is the one a fresh analysis gives, to the bit (parse once, fit twice, no final answer changed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  analyseFiles,
  collectTables,
  finishAnalysis,
  lawChoiceRows,
  provisionalAnalysis,
} from '../../../src/core/analysis/analyse';
import { plainAnalysis } from '../../../src/core/analysis/series';
import type { Analysis } from '../../../src/core/analysis/types';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { readSources } from '../../../src/core/sources';
import { REPO } from '../../helpers/shared';

/** An analysis without its timings, which differ from run to run. */
const answer = (a: Analysis) => JSON.stringify({ ...a, timings: undefined });

async function collect(paths: string[], options: Partial<AnalysisOptions>) {
  const { tables } = await readSources(paths);
  return collectTables(tables, options);
}

const SWEEP = [join(REPO, 'examples', 'loss', 'sweep.csv')];
/** A TensorBoard export: the loss and the LR of one run in two files, merged into one curve when fitted. */
const SPLIT = ['loss', 'learning_rate'].map((tag) =>
  join(REPO, 'test', 'fixtures', 'table', `run_cosine-tag-train_${tag}.csv`),
);

for (const [name, paths] of [
  ['three curves', SWEEP],
  ['a curve whose LR was logged in a file of its own', SPLIT],
] as const) {
  test(`${name}: the full analysis after a provisional one is a fresh analysis's`, async () => {
    const options: Partial<AnalysisOptions> = { bootstrapSamples: 20 };
    const fresh = await analyseFiles([...paths], options);
    const collected = await collect([...paths], options);
    const provisional = provisionalAnalysis(collected, 1);
    assert.ok(provisional, 'auto compares the laws on these curves');
    assert.deepEqual(provisional.provisional, { law: 'lr-annealing' });
    assert.equal(answer(plainAnalysis(finishAnalysis(collected))), answer(fresh));
    // The provisional analysis is the forced law's own.
    const forced = await analyseFiles([...paths], { ...options, law: 'lr-annealing' });
    assert.equal(answer({ ...plainAnalysis(provisional), provisional: undefined }), answer(forced));
  });
}

test('no provisional analysis below the threshold, or when auto compares no laws', async () => {
  const auto = await collect(SWEEP, {});
  const rows = lawChoiceRows(auto);
  assert.ok(rows > 100, `${rows}`);
  assert.equal(provisionalAnalysis(auto, rows + 1), null);
  // A forced law is not compared with anything.
  assert.equal(lawChoiceRows(await collect(SWEEP, { law: 'mpl' })), 0);
});
