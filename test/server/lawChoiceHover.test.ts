// Law auto in the editor, through the language server in-process: the lens names the law chosen, and the header
// hover compares both laws (their backtest errors, what a backtest is, the reason, where to see the runner-up) with
// the file's own text escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyseFiles } from '../../src/core/analysis/analyse';
import { fitLawName, LAW_NAMES } from '../../src/core/analysis/lawNames';
import { formatPercent } from '../../src/core/util/format';
import { markdownText } from '../../src/shared/markdown';
import { hoverForHeader } from '../../src/server/headerHover';
import { AnalysisRequest } from '../../src/shared/protocol';
import { startTestServer } from '../helpers/lsp';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

/** A run name that would be a command link if it reached the hover's Markdown unescaped. */
const HOSTILE = 'cos*10k*[x](command:evil)';

test('law auto: the lens names the law, the header hover compares both laws and says why, file text escaped', async () => {
  const text = readFileSync(join(REPO, 'examples', 'loss', 'sweep.csv'), 'utf8').replaceAll('cosine_10k', HOSTILE);
  const path = join(scratchDir('scaling-lens-auto-'), 'sweep.csv');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).toString();
  const client = await startTestServer();
  try {
    client.settings = { fit: { bootstrapSamples: 20 } };
    await client.open(uri, text);
    const status = await client.status(uri, (s) => s.state === 'done' || s.state === 'error');
    assert.equal(status.state, 'done', status.message);
    const analysis = (await client.rpc.sendRequest(AnalysisRequest, { uri }))!;
    const fit = analysis.fits[0];
    const selection = fit.selection!;
    assert.ok(selection, 'law auto reports its choice');
    assert.equal(fit.runnerUpFit?.law, selection.runnerUp);

    // These three curves do not single a law out (the LR-annealing law's backtest lead is within its scatter): the
    // predictions are a mean of both laws, and the runner-up is MPL alone, which the chart can set beside it.
    assert.ok(selection.weights && selection.weightRange, selection.reason);
    assert.equal(selection.runnerUp, 'mpl');
    const name = fitLawName(fit);
    assert.equal(name, 'spread-weighted mean of LR-annealing law and MPL');
    // The lenses name it short, the number first; the full name is in their tooltips.
    const shown = await client.lenses(uri);
    const lenses = shown.map((l) => l.command!.title);
    assert.ok(lenses[0].startsWith('Loss · weighted mean of both laws · fitted on 3 curves'), lenses[0]);
    assert.ok(
      lenses.slice(1).every((t) => /^L\(.* · weighted mean of both laws · /.test(t)),
      lenses.join('\n'),
    );
    assert.ok(
      shown.every((l) => l.command!.tooltip?.startsWith(`Predicted by the ${name}: `)),
      shown.map((l) => l.command!.tooltip).join('\n'),
    );

    const hover = await client.hover(uri, 0, 2);
    const markdown = hover ? (hover.contents as { value: string }).value : '';
    // The answer first (VS Code shows ~250 px before it scrolls): the fit's line, then which law predicts and why in
    // one line, then the predictions, then the numbers.
    const blocks = markdown.split('\n\n');
    const answer = `Law chosen automatically: weighted mean of both laws, because ${markdownText(selection.reason)}.`;
    assert.equal(blocks[2], answer, markdown);
    assert.ok(blocks[3].startsWith('Predicts:'), markdown);
    assert.ok(blocks[4].startsWith('| law | backtest error | |'), markdown);
    for (const c of selection.candidates) {
      const [lo, hi] = selection.weightRange![c.law];
      const mark = ` (weight ${lo.toFixed(2)}–${hi.toFixed(2)} by step, mean ${selection.weights[c.law].toFixed(2)})`;
      const row = `| ${LAW_NAMES[c.law]}${mark} | ${formatPercent(c.backtestError)} |`;
      assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
    }
    assert.equal(
      blocks[5],
      "Backtest error: each law refitted on the first 60, 70 and 80 % of every fit curve, its mean relative error on the rest. The mean: each law weighted at each step by the inverse of its bootstrap spread there; every band mixes both laws' bootstrap refits by the same weights; the coefficients below are the LR-annealing law's. The chart's **runner-up** toggle overlays the runner-up's predictions (MPL alone).",
    );
    // No sentence repeats the table: the reason names no backtest error or weight, and the laws as the table does.
    assert.doesNotMatch(selection.reason, /%\)|weight|multi-power/);
    assert.equal(markdown.split('inverse of its bootstrap spread').length, 2, markdown);
    // The run's name reaches the hover only escaped: no link, no command.
    assert.ok(markdown.includes(markdownText(HOSTILE)), markdown);
    assert.ok(!markdown.includes('[x](command:evil)'), markdown);
  } finally {
    client.dispose();
  }
});

test("with curves held out, the hover's comparison gives each law's held-out PredE beside its backtest error", async () => {
  const file = join(REPO, 'examples', 'loss', 'sweep.csv');
  const analysis = await analyseFiles([file], { fitOn: ['cosine_10k', 'wsd_10k'], bootstrapSamples: 0 });
  // The presentation of one law chosen alone, whatever these curves chose (one drop level: the mean of both laws).
  const { weights: _weights, weightRange: _range, ...alone } = analysis.fits[0].selection!;
  const fit = {
    ...analysis.fits[0],
    selection: { ...alone, chosen: 'lr-annealing' as const, runnerUp: 'mpl' as const },
  };
  const markdown = hoverForHeader({ ...analysis, fits: [fit] }, file) ?? '';
  assert.match(markdown, /^\| law \| backtest error \| held-out PredE \| \|$/m);
  for (const c of fit.selection!.candidates) {
    const chosen = c.law === fit.selection!.chosen;
    const heldOut = (chosen ? fit.heldOut : fit.runnerUpFit!.heldOut)!.predE;
    const row = `| ${LAW_NAMES[c.law]}${chosen ? ' (chosen)' : ''} | ${formatPercent(c.backtestError)} | ${formatPercent(heldOut)} |`;
    assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
  }
});

test("under a mean of both laws, the held-out column gives the runner-up's own PredE and the mean's in a row of its own", async () => {
  const file = join(REPO, 'examples', 'loss', 'sweep.csv');
  const analysis = await analyseFiles([file], { fitOn: ['cosine_10k', 'wsd_10k'], bootstrapSamples: 0 });
  const fit = analysis.fits[0];
  // The presentation of a mean, whatever these curves chose: the same fit, its selection a mean of both laws.
  const weights = { 'lr-annealing': 0.6, mpl: 0.4 };
  const weightRange = { 'lr-annealing': [0.5, 0.7] as [number, number], mpl: [0.3, 0.5] as [number, number] };
  const selection = {
    ...fit.selection!,
    chosen: 'lr-annealing' as const,
    runnerUp: 'mpl' as const,
    weights,
    weightRange,
  };
  const runnerUpFit = {
    ...fit.runnerUpFit!,
    law: 'mpl' as const,
    heldOut: { ...fit.runnerUpFit!.heldOut!, predE: 0.0042 },
  };
  const mean = {
    ...fit,
    law: 'lr-annealing' as const,
    selection,
    runnerUpFit,
    heldOut: { ...fit.heldOut!, predE: 0.0017 },
  };
  const markdown = hoverForHeader({ ...analysis, fits: [mean] }, file) ?? '';
  const bt = (law: string) => formatPercent(selection.candidates.find((c) => c.law === law)!.backtestError);
  for (const row of [
    `| LR-annealing law (weight 0.50–0.70 by step, mean 0.60) | ${bt('lr-annealing')} | — |`,
    `| MPL (weight 0.30–0.50 by step, mean 0.40) | ${bt('mpl')} | ${formatPercent(0.0042)} |`,
    `| spread-weighted mean of LR-annealing law and MPL (chosen) | — | ${formatPercent(0.0017)} | |`,
  ])
    assert.ok(markdown.includes(row), `${row} in\n${markdown}`);
  assert.match(markdown, /The chart's \*\*runner-up\*\* toggle overlays the runner-up's predictions \(MPL alone\)\./);
});
