// A run that left its own law (law-departure) in the editor, through the in-process server: the Problems panel, the
// CodeLens and Predict at... name one step, the lens gives no number from the law the run left, and its tooltip says
// how the departure was judged (tolerance, points off and outside the band) and where the tolerances are set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { buildDiagnostics } from '../../src/server/diagnostics';
import { buildLenses } from '../../src/server/lenses';
import { PredictRequest } from '../../src/shared/protocol';
import { clean, lossRunCsv, spikeFrom } from '../helpers/departureRuns';
import { startTestServer } from '../helpers/lsp';
import { scratchDir } from '../helpers/scratch';

const STEPS = 600;

test('the lens, the diagnostic and Predict at... of a run with a loss spike agree on the step', async () => {
  const dir = scratchDir('scaling-lens-departure-');
  const client = await startTestServer();
  try {
    const path = join(dir, 'spiked.csv');
    const text = lossRunCsv(STEPS, 3, 0.01, spikeFrom(540));
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri, (d) => d.some((x) => x.code === 'law-departure'));
    const departures = diagnostics.filter((d) => d.code === 'law-departure');
    assert.equal(departures.length, 1, JSON.stringify(diagnostics));
    const [diagnostic] = departures;
    const message = String(diagnostic.message);
    const step = Number(/from step (\d+): a loss spike/.exec(message)?.[1]);
    assert.ok(step >= 535 && step <= 552, message);
    // Step s is on line s + 1 (the header is line 1), 0-based s; the range runs to the last row.
    assert.equal(diagnostic.range.start.line, step);
    assert.equal(diagnostic.range.end.line, STEPS);

    const lenses = await client.lenses(uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    const lens = lenses.find((l) => /left its law/.test(l.command?.title ?? ''));
    assert.ok(lens?.command, titles.join('\n'));
    assert.equal(lens.range.start.line, 0, 'the lens is on the first line');
    assert.match(
      lens.command.title,
      new RegExp(`^L\\(1\\.2k\\): ⚠ no prediction, the run left its law from step ${step}: a loss spike.* · [^·]+$`),
    );
    // No number from the law the run left: no "= value" and no band on any lens.
    for (const title of titles) assert.doesNotMatch(title, /= \d|\[\d/, title);
    const tooltip = lens.command.tooltip ?? '';
    assert.match(tooltip, /of the \d+ points from step \d+ to 600 are above the law/);
    assert.match(tooltip, /the tolerance, \d+(\.\d+)? % \(4 robust standard deviations/);
    assert.match(tooltip, /\d+ outside the 95 % band of the fit/);
    assert.match(tooltip, /scalingLens\.fit\.departureSigmas/);
    assert.match(tooltip, /scalingLens\.fit\.departurePoints/);
    // The tooltip's account is the diagnostic's, word for word.
    const detail = tooltip.slice(0, tooltip.indexOf('.', tooltip.indexOf('band')) + 1);
    assert.ok(message.includes(detail), `${detail}\n  not in\n${message}`);

    const answer = await client.rpc.sendRequest(PredictRequest, { uri, target: { kind: 'step', value: 2000 } });
    assert.equal(answer.predictions.length, 1);
    const [p] = answer.predictions;
    assert.equal(p.status, 'law-departed');
    assert.equal(p.value, null);
    assert.match(p.statusReason, new RegExp(`left its law from step ${step}: a loss spike`));
  } finally {
    client.dispose();
  }
});

test('a clean run has no departure: its lens predicts, and no law-departure diagnostic', async () => {
  const dir = scratchDir('scaling-lens-departure-');
  const client = await startTestServer();
  try {
    const path = join(dir, 'clean.csv');
    const text = lossRunCsv(STEPS, 3, 0.01, clean);
    writeFileSync(path, text);
    const uri = pathToFileURL(path).toString();
    await client.open(uri, text);
    await client.status(uri, (s) => s.state === 'done');
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'law-departure'),
      [],
    );
    const titles = (await client.lenses(uri)).map((l) => l.command?.title ?? '');
    assert.ok(
      titles.some((t) => /^L\(1\.2k\) = \d.* · [^·]+ · R² /.test(t)),
      titles.join('\n'),
    );
  } finally {
    client.dispose();
  }
});

test('a run below its law keeps its number on the lens, flagged with the step the diagnostic names', async () => {
  const dir = scratchDir('scaling-lens-departure-');
  const path = join(dir, 'dropped.csv');
  writeFileSync(
    path,
    lossRunCsv(STEPS, 8, 0.01, (s, loss) => (s >= 540 ? loss * 0.85 : loss)),
  );
  const analysis = await analyseFiles([path], { law: 'lr-annealing', bootstrapSamples: 20 });
  const [diagnostic] = buildDiagnostics(analysis, path).filter((d) => d.code === 'law-departure');
  const step = Number(/from step (\d+): a drop/.exec(String(diagnostic?.message))?.[1]);
  assert.ok(step >= 535 && step <= 552, String(diagnostic?.message));
  const [lens] = buildLenses(analysis, path, pathToFileURL(path).toString());
  assert.match(
    lens.command?.title ?? '',
    new RegExp(
      `^L\\(1\\.2k\\) = \\d\\.\\d+ \\[.* · ⚠ left its law at step ${step} \\(drop\\) · LR-annealing law · R² `,
    ),
  );
  assert.match(lens.command?.tooltip ?? '', /of the \d+ points from step \d+ to 600 are below the law/);
});
