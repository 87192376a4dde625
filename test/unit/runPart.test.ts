// How a metric file's run and metric are named where they are shown (src/shared/runPart.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partLabel, runTitle, shownMetric } from '../../src/shared/runPart';

test("a long metric name is cut in its middle in the status item's label; a short one and the run's name kept", () => {
  const long =
    'evaluation_suite/downstream_tasks/multilingual_benchmark_v2/per_language_breakdown/validation_ce_exp_avg';
  const part = { format: 'dvclive', metric: long, run: 'dvclive', uri: 'file:///r/dvclive' } as const;
  // The metric's and the run's names get 18 characters together: the label fits the status item's hover.
  const shown = shownMetric(part);
  assert.equal(shown, 'eva…exp_avg');
  assert.equal(partLabel(part), `DVCLive metric '${shown}' of run dvclive`);
  assert.equal(shownMetric({ ...part, metric: 'train/loss' }), 'train/loss');
  assert.equal(shownMetric({ ...part, metric: 'x'.repeat(11) }), 'x'.repeat(11));
  // A long run name leaves the metric its least: 10 characters.
  assert.equal(shownMetric({ ...part, run: 'r'.repeat(30) }).length, 10);
  const mlflow = { format: 'mlflow', metric: 'lr', run: 'f'.repeat(32), uri: 'file:///r/f' } as const;
  assert.equal(partLabel(mlflow), "MLflow metric 'lr' of run ffffffff…");
  assert.equal(runTitle(mlflow), 'MLflow run ffffffff…');
});
