// The title of the chart panel's PNG export (src/webview/exportImage.ts) on charts the core builds from the examples:
// the file and what it shows, then each law drawn, once. The image itself is drawn in the browser (test/e2e).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import type { AnalysisOptions } from '../../../src/core/analysis/options';
import { buildChart, sampleChart } from '../../../src/core/chart/series';
import { exportHeader, kindLabel } from '../../../src/webview/exportImage';
import { REPO } from '../../helpers/shared';

const chartOf = async (paths: string[], options: Partial<AnalysisOptions> = {}) => {
  const analysis = await analyseFiles(
    paths.map((p) => join(REPO, p)),
    { bootstrapSamples: 0, ...options },
  );
  return sampleChart(buildChart(analysis), { width: 800, logX: true, full: true });
};

test('a downstream sweep: the file and the kind, then the laws drawn, each formula once', async () => {
  const data = await chartOf(['examples/downstream/downstream_sweep.csv']);
  const [title, laws, ...rest] = exportHeader(data, 'sweep.csv');
  assert.equal(title, 'sweep.csv · downstream sweep (BLEU and CE vs D_p)');
  const formulas = [...new Set(data.fits.map((f) => f.formula))];
  assert.ok(data.fits.length > formulas.length, 'one formula per law, though every group has its fit');
  assert.equal(laws, `law: ${formulas.join('; ')}`);
  assert.deepEqual(rest, []);
});

test('an (N, D) sweep and loss curves are named by their kind; loss curves by the law drawn', async () => {
  assert.equal(kindLabel(await chartOf(['examples/compute/compute_sweep.csv'])), '(N, D) sweep');
  const loss = await chartOf(['examples/loss/constant.csv', 'examples/loss/cosine.csv'], { law: 'lr-annealing' });
  assert.equal(loss.lawChoice, undefined);
  assert.equal(kindLabel(loss), `loss curves (${loss.fits[0].name})`);
});

test('a power law of a loss curve is named by what it draws, the loss against its x, never as an (N, D) sweep', async () => {
  const data = await chartOf(['examples/loss/cosine.csv'], { law: 'power', powerX: 'step' });
  assert.equal(kindLabel(data), 'loss vs step (power law)');
});

test('before any data the title is the file alone', () => {
  assert.deepEqual(exportHeader(undefined, 'run.csv'), ['run.csv']);
});
