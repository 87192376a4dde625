// The command line gives no number from a law that broke or a fit the data do not support: in --json such a
// prediction has value null and a status naming why; in text its row says why instead of a value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prediction } from '../../../src/core/analysis/types';
import { REPO } from '../../helpers/shared';
import { scratchDir } from '../../helpers/scratch';

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
    encoding: 'utf8',
    cwd: REPO,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const SWEEP = join(REPO, 'examples/downstream/downstream_sweep.csv');

test('--json: a prediction past a BLEU law break has value null and the status law-broken', () => {
  const run = cli(['fit', SWEEP, '--json', '--bootstrap', '20']);
  assert.equal(run.code, 0, run.stderr);
  const predictions = JSON.parse(run.stdout).predictions as Prediction[];
  const broken = predictions.find((p) => p.group === 'misaligned-en-fr, D_f=42M' && p.metric === 'bleu')!;
  assert.deepEqual(
    { value: broken.value, low: broken.low, high: broken.high, status: broken.status },
    { value: null, low: null, high: null, status: 'law-broken' },
  );
  assert.match(broken.status === 'law-broken' ? broken.statusReason : '', /the BLEU law broke at D_p = 8B \(line 14\)/);
  const aligned = predictions.find((p) => p.group === 'aligned-en-de, D_f=42M' && p.metric === 'bleu')!;
  assert.equal(aligned.status, 'ok');
  assert.equal(typeof aligned.value, 'number');
  // The curve says which of its points the fit left out: those from the break on.
  const curve = JSON.parse(run.stdout).curves.find((c: { name: string }) =>
    c.name.startsWith('misaligned-en-fr, D_f=42M · BLEU'),
  );
  assert.deepEqual(curve.notFitted, [4, 5, 6, 7]);
});

test('--json and text: an unsupported fit predicts nothing and says why', () => {
  const dir = scratchDir('scaling-lens-cli-trust-');
  const path = join(dir, 'metrics.csv');
  writeFileSync(
    path,
    'epoch,step,train_loss,lr-AdamW\n0,2000,3.41,0.0003\n0,4000,3.02,0.0003\n1,6000,2.85,0.0003\n1,8000,2.76,0.0003\n2,10000,2.70,0.0003\n',
  );
  const json = JSON.parse(cli(['fit', path, '--json']).stdout);
  assert.deepEqual(
    json.predictions.map((p: Prediction) => [p.value, p.status]),
    [[null, 'fit-unsupported']],
  );
  assert.deepEqual(
    json.fits[0].unsupported.map((p: { code: string }) => p.code),
    ['fit-points-few'],
  );
  assert.ok(json.findings.some((f: { code: string }) => f.code === 'fit-points-few'));
  const text = cli(['fit', path]).stdout;
  assert.match(text, /metrics\s+loss\s+L\(20k\)\s+none\s+not supported by the data: 5 points for 4 coefficients/);
  assert.match(text, /NOT SUPPORTED by the data, no prediction from it: 5 points for 4 coefficients/);
});
