// A cell finding of a row joined from several records (a Lightning step's training and validation lines, a
// trainer_state.json's train and eval entries) or files (DVCLive and MLflow: a file per metric) points at the record
// that holds the bad value, and its column there: not at the row's first line, where that cell is empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyseFiles } from '../../../src/core/analysis/analyse';
import type { Finding } from '../../../src/core/analysis/types';
import { withCellColumns } from '../../../src/core/sources/cellLines';
import { hoverAt } from '../../../src/server/hovers';
import { scratchDir } from '../../helpers/scratch';
import { mlflowLines, writeDvclive, writeFile, writeMlflowRun } from '../../helpers/frameworkRuns';

const STEPS = Array.from({ length: 30 }, (_, i) => (i + 1) * 100);
const lossAt = (step: number) => Number((2.5 + 4 * step ** -0.45).toFixed(5));

/** The findings of `path` with their cells located on the lines read again from disk, as the CLI shows them. */
async function located(path: string): Promise<Finding[]> {
  const analysis = await analyseFiles([path], { law: 'lr-annealing', bootstrapSamples: 0 });
  return withCellColumns(analysis.findings);
}

/** Line (1-based) and column span of `text` on the line of `file` that holds `lineText`. */
function cellOf(file: string, lineText: string, text: string) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.indexOf(lineText);
  assert.ok(line >= 0, `${lineText} is in ${file}`);
  const column = lineText.indexOf(text) + 1;
  return { file, line: line + 1, column, endColumn: column + text.length };
}

const placeOf = (f: Finding | undefined) =>
  f && { file: f.file, line: f.line, column: f.column, endColumn: f.endColumn };

test("Lightning: a bad value on a step's validation line (not its first) is located there, at its field", async () => {
  const dir = join(scratchDir('scaling-lens-joined-'), 'version_0');
  const rows = ['step,epoch,train_loss,val_loss,lr-AdamW'];
  for (const step of STEPS) {
    rows.push(`${step},0,${lossAt(step) + 0.01},,${step === 1200 ? '-0.0003' : '0.0003'}`);
    rows.push(`${step},0,,${step === 1000 ? '-1.5' : lossAt(step)},`);
  }
  const path = writeFile(join(dir, 'metrics.csv'), rows.join('\n') + '\n');
  const findings = await located(path);
  const loss = findings.find((f) => f.code === 'loss-invalid');
  assert.deepEqual(placeOf(loss), cellOf(path, '1000,0,,-1.5,', '-1.5'));
  // A value on the step's first line stays there, at its own field.
  const lr = findings.find((f) => f.code === 'lr-invalid');
  assert.deepEqual(placeOf(lr), cellOf(path, `1200,0,${lossAt(1200) + 0.01},,-0.0003`, '-0.0003'));
});

test("trainer_state.json: an eval entry's bad value is on that entry's key; hovering the eval entry shows its step's row", async () => {
  const history = STEPS.flatMap((step) => [
    { loss: lossAt(step) + 0.01, learning_rate: 0.0003, epoch: step / 3000, step },
    { eval_loss: step === 1000 ? -1.5 : lossAt(step), epoch: step / 3000, step },
  ]);
  const state = { global_step: 3000, max_steps: 3000, log_history: history };
  const path = writeFile(
    join(scratchDir('scaling-lens-joined-'), 'trainer_state.json'),
    JSON.stringify(state, null, 2),
  );
  const analysis = await analyseFiles([path], { law: 'lr-annealing', bootstrapSamples: 0 });
  const lines = readFileSync(path, 'utf8').split('\n');
  const loss = analysis.findings.find((f) => f.code === 'loss-invalid')!;
  // The entry's opening brace, as its row is located: the line before `"eval_loss": -1.5`.
  assert.equal(lines[loss.line].trim(), '"eval_loss": -1.5,');
  // Located on the file's lines, it moves to its key's line, at the value (a minified document keeps the line).
  const [onKey] = (await withCellColumns([loss])).map(placeOf);
  assert.deepEqual(onKey, cellOf(path, '      "eval_loss": -1.5,', '-1.5'));
  // Step 2000: its train entry's line is its row's; a field of its eval entry hovers the same row.
  const evalLine = lines.findIndex((l, i) => l.includes('"eval_loss"') && lines[i + 2]?.includes('"step": 2000'));
  const lineText = (line: number) => lines[line];
  const hover = (line: number) => hoverAt(analysis, path, { line, character: 8 }, lineText)?.contents;
  const onTrain = hover(lines.findIndex((l, i) => l.includes('"loss"') && lines[i + 3]?.includes('"step": 2000')));
  assert.match(JSON.stringify(onTrain), /step 2000/);
  assert.deepEqual(hover(evalLine), onTrain);
});

test('trainer_state.json on one line: a bad value of a step joined from its train and eval entries is located in the entry that holds it', async () => {
  const history = STEPS.flatMap((step) => [
    { loss: lossAt(step) + 0.01, learning_rate: step === 1200 ? -0.0003 : 0.0003, epoch: step / 3000, step },
    { eval_loss: step === 1000 ? -1.5 : lossAt(step), epoch: step / 3000, step },
  ]);
  const text = JSON.stringify({ global_step: 3000, max_steps: 3000, log_history: history });
  const path = writeFile(join(scratchDir('scaling-lens-joined-'), 'trainer_state.json'), text);
  const findings = await located(path);
  // The eval entry's value (the later entry of its step) and the train entry's (the earlier one).
  assert.deepEqual(placeOf(findings.find((f) => f.code === 'loss-invalid')), cellOf(path, text, '-1.5'));
  assert.deepEqual(placeOf(findings.find((f) => f.code === 'lr-invalid')), cellOf(path, text, '-0.0003'));
  // Step 1200's eval entry logged apart from its train entry (after step 1300's): which entry holds the LR is not
  // known from the entries seen together, so the finding keeps its line and no column, never another entry's.
  const apart = history.filter((e) => e.step !== 1200 || 'loss' in e);
  apart.splice(
    apart.findIndex((e) => e.step === 1400),
    0,
    history.find((e) => e.step === 1200 && 'eval_loss' in e)!,
  );
  const apartText = JSON.stringify({ global_step: 3000, max_steps: 3000, log_history: apart });
  const apartPath = writeFile(join(scratchDir('scaling-lens-joined-'), 'trainer_state.json'), apartText);
  const lr = (await located(apartPath)).find((f) => f.code === 'lr-invalid');
  assert.deepEqual([lr?.line, lr?.column], [1, undefined]);
});

test("a JSON array of records on one line whose records share steps: a joined row's bad value is located in its record", async () => {
  const records = STEPS.flatMap((step) => [
    { loss: lossAt(step) + 0.01, learning_rate: step === 1200 ? -0.0003 : 0.0003, epoch: step / 3000, step },
    { eval_loss: step === 1000 ? -1.5 : lossAt(step), epoch: step / 3000, step },
  ]);
  // Step 1200's eval record logged apart, after step 1300's: each record's place is known, so its LR is still found.
  const evalOf1200 = records.splice(
    records.findIndex((e) => e.step === 1200 && 'eval_loss' in e),
    1,
  )[0];
  records.splice(
    records.findIndex((e) => e.step === 1400),
    0,
    evalOf1200,
  );
  const text = JSON.stringify(records);
  const path = writeFile(join(scratchDir('scaling-lens-joined-'), 'log.json'), text);
  const findings = await located(path);
  assert.ok(findings.some((f) => f.code === 'rows-joined'));
  assert.deepEqual(placeOf(findings.find((f) => f.code === 'loss-invalid')), cellOf(path, text, '-1.5'));
  assert.deepEqual(placeOf(findings.find((f) => f.code === 'lr-invalid')), cellOf(path, text, '-0.0003'));
});

test('DVCLive and MLflow: a bad value is located in its own metric file, at its line and field', async () => {
  const points = STEPS.map((step) => ({ step, value: step === 1000 ? -1.5 : lossAt(step) }));
  const lrs = STEPS.map((step) => ({ step, value: 0.0003 }));
  const dvclive = writeDvclive(join(scratchDir('scaling-lens-joined-'), 'dvclive'), { 'train/loss': points, lr: lrs });
  const tsv = join(dvclive, 'plots', 'metrics', 'train', 'loss.tsv');
  const fromTsv = (await located(dvclive)).find((f) => f.code === 'loss-invalid');
  assert.deepEqual(placeOf(fromTsv), cellOf(tsv, `${1721450900009}\t1000\t-1.5`, '-1.5'));

  const store = scratchDir('scaling-lens-joined-');
  const run = writeMlflowRun(join(store, '1'), '0123456789abcdef0123456789abcdef', {
    name: 'r',
    metrics: { loss: mlflowLines(points), lr: mlflowLines(lrs) },
  });
  const fromMetric = (await located(run)).find((f) => f.code === 'loss-invalid');
  assert.deepEqual(placeOf(fromMetric), cellOf(join(run, 'metrics', 'loss'), '1721450909000 -1.5 1000', '-1.5'));
});

test("W&B's legacy history (JSON Lines): a bad value is located at its key", async () => {
  const rows = STEPS.map((step, i) =>
    JSON.stringify({ _step: step, _runtime: i, lr: 0.0003, loss: step === 1000 ? -1.5 : lossAt(step) }),
  );
  const path = writeFile(join(scratchDir('scaling-lens-joined-'), 'wandb-history.jsonl'), rows.join('\n') + '\n');
  const loss = (await located(path)).find((f) => f.code === 'loss-invalid');
  assert.deepEqual(placeOf(loss), cellOf(path, rows[9], '-1.5'));
});

test('a pretty-printed JSON array of records, one a step: a bad value is located at its key in its record', async () => {
  const records = STEPS.map((step) => ({ step, loss: step === 1000 ? -1.5 : lossAt(step), lr: 0.0003 }));
  const path = writeFile(join(scratchDir('scaling-lens-joined-'), 'log.json'), JSON.stringify(records, null, 2));
  const loss = (await located(path)).find((f) => f.code === 'loss-invalid');
  assert.deepEqual(placeOf(loss), cellOf(path, '    "loss": -1.5,', '-1.5'));
});
