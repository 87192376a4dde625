// The model-size law in the editor (src/server/lenses.ts, hovers.ts): each curve's lens names the size it is
// predicted at and shows its band; the header hover says which sizes were fitted, whether other sizes are predicted,
// and why the law was used, with an interval for every fitted coefficient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver';
import { buildLenses } from '../../src/server/lenses';
import { hoverAt } from '../../src/server/hovers';
import { FitFileRequest, PredictRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { analyse, log, SIZES, TRUE, type Kind } from '../helpers/sizedRuns';
import { scratchDir } from '../helpers/scratch';

const FILE = '/runs/m25/cosine.csv';
const URI = 'file:///runs/m25/cosine.csv';
const markdown = (h: Hover | null) => (h ? (h.contents as { value: string }).value : '');

test('three sizes: the lens names N and gives a band; the header hover lists the sizes and the intervals', () => {
  const analysis = analyse(
    ['m25', 'm100', 'm400'],
    { fitOn: ['constant', 'cosine'], bootstrapSamples: 10 },
    true,
    undefined,
    2e-3,
  );
  const lenses = buildLenses(analysis, FILE, URI).map((l) => l.command!.title);
  assert.equal(lenses.length, 1);
  assert.match(
    lenses[0],
    /^L\(20k\) = \d\.\d+ \[\d\.\d+, \d\.\d+\] · LR-annealing law with model size \(N=25M\) · R² /,
  );
  const hover = markdown(hoverAt(analysis, FILE, { line: 0, character: 0 }, () => undefined));
  assert.match(
    hover,
    /Model sizes fitted: 25M, 100M, 400M · predicts other sizes up to one span of their log range past them · law asked for\./,
  );
  for (const name of ['L0', 'A', 'alpha', 'B', 'beta', 'C', 'gamma'])
    assert.match(hover, new RegExp(`\\| ${name} \\| [^|]*\\[[^|]*\\] \\|`), name);
});

test('two sizes: the header hover says only the fitted sizes are predicted, until beta is held', () => {
  const fitOn = [
    'constant (m25/constant.csv)',
    'cosine (m25/cosine.csv)',
    'constant (m100/constant.csv)',
    'cosine (m100/cosine.csv)',
  ];
  const free = analyse(['m25', 'm100', 'm400'], { law: 'auto', fitOn });
  const text = markdown(hoverAt(free, FILE, { line: 0, character: 0 }, () => undefined));
  assert.match(
    text,
    /Model sizes fitted: 25M, 100M · predicts only the fitted sizes \(fewer than three sizes fitted and no size exponent given\) · law chosen automatically: the curves are of 3 model sizes \(25M, 100M, 400M\), fitted together\./,
  );
  const held = analyse(['m25', 'm100', 'm400'], { fitOn, sizeExponent: TRUE.beta });
  const heldText = markdown(hoverAt(held, FILE, { line: 0, character: 0 }, () => undefined));
  assert.match(
    heldText,
    /Model sizes fitted: 25M, 100M · held: beta = 0\.35 · predicts other sizes up to one span of their log range past them/,
  );
  const lens400 = buildLenses(held, '/runs/m400/wsd.csv', 'file:///runs/m400/wsd.csv').map((l) => l.command!.title);
  assert.match(lens400[0], /^L\(20k\) = .* \(N=400M\) · held-out PredE /);
});

test('Predict at... on one file of runs of three sizes (a params column): every run of every size, with N and a band', async () => {
  // One CSV with a run column: the automatic law sees three sizes and fits the model-size law.
  const rows = Object.entries(SIZES).flatMap(([folder, n]) =>
    (['constant', 'cosine', 'wsd'] as Kind[]).flatMap((kind) =>
      log(kind, n, true, 2e-3)
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => `${kind}-${folder},${row}`),
    ),
  );
  const path = join(scratchDir('scaling-lens-size-'), 'sizes.csv');
  writeFileSync(path, `run,step,lr,loss,params\n${rows.join('\n')}\n`);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    assert.equal((await client.rpc.sendRequest(FitFileRequest, { uri })).state, 'done');
    const { predictions } = await client.rpc.sendRequest(PredictRequest, {
      uri,
      target: { kind: 'step', value: 30000 },
    });
    assert.equal(predictions.length, 9);
    for (const p of predictions) {
      assert.equal(p.status, 'ok', p.curve);
      assert.equal(p.step, 30000);
      assert.equal(p.extra?.N, SIZES[p.curve!.split('-')[1]]);
      assert.ok(p.low! < p.value! && p.value! < p.high!, `${p.curve}: ${p.low} ${p.value} ${p.high}`);
    }
  } finally {
    client.dispose();
  }
});
