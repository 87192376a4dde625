// What the Runs view says of a run (src/client/runText.ts), without a VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, runTooltip, stateOf } from '../../../src/client/runText';
import { overviewOfRun } from '../../../src/core/analysis/runOverview';
import { TRAINING_WITHIN_MS, type RunEntry } from '../../../src/shared/runs';
import { REPO } from '../../helpers/shared';

const entry: RunEntry = {
  uri: 'file:///w/ablations/wsd.csv',
  name: 'ablations/wsd-[x](command:a)',
  root: 'file:///w',
  modifiedMs: 0,
  overview: {
    path: '/w/ablations/wsd.csv',
    warnings: 0,
    errors: 0,
    format: 'csv',
    rows: 160,
    lastStep: 8000,
    lastLoss: 2.579,
    prediction: {
      step: 16_000,
      value: 2.64,
      low: 2.63,
      high: 2.65,
      law: 'lr-annealing',
      why: 'twice the last logged step, past the last logged LR (step 8000); the LR is held at its last value',
    },
  },
};

test('the Runs tooltip breaks lines at spaces only: no no-break spaces, and "LR-annealing" kept whole', () => {
  const md = runTooltip(entry, stateOf(entry, 1000));
  // VS Code's appendText wrote every space as &nbsp;: the tooltip then broke "LR-" / "annealing" across lines.
  assert.ok(!md.includes('&nbsp;'), md);
  assert.match(md, /Predicted by the LR\\-\u2060annealing law at step 16k \\\(twice the last logged step/);
  // File text stays text: the run's name is escaped, never a link.
  assert.ok(md.startsWith('ablations\\/wsd\\-\\[x\\]\\(command\\:a\\)\n\n'), md);
  assert.match(md, /\n\nTraining\\: updated 1 s ago\\.\n\nFormat\\: csv\\, 160 rows\\.\n\n/);
});

test('a downstream sweep in the Runs view is a sweep with its own laws, not a run that "cannot be fitted"', async () => {
  const path = join(REPO, 'examples', 'downstream', 'downstream_sweep.csv');
  const overview = await overviewOfRun(path, 'downstream/downstream_sweep', { bootstrapSamples: 0 });
  assert.equal(overview.sweep, 'downstream');
  const sweep: RunEntry = {
    uri: 'file://' + path,
    name: 'downstream/downstream_sweep',
    root: 'file:///w',
    modifiedMs: 0,
    overview,
  };
  const state = stateOf(sweep, TRAINING_WITHIN_MS + 1);
  assert.deepEqual(state, { kind: 'sweep', what: 'downstream sweep' });
  assert.equal(describe(overview, state), '23 rows · downstream sweep, no training run');
  const md = runTooltip(sweep, state);
  assert.doesNotMatch(md, /Cannot be fitted/);
  assert.match(md, /A downstream sweep\\, not a training run/);
  // Its first warning is still said.
  assert.match(md, /\n\nNote\\: BLEU falls by/);
  // A loss run is no sweep.
  const loss = await overviewOfRun(join(REPO, 'examples', 'loss', 'cosine.csv'), 'loss/cosine', {
    bootstrapSamples: 0,
  });
  assert.equal(loss.sweep, undefined);
});
