import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { detectRoles, normaliseColumnName, parseText, readTable, ROLE_ALIASES } from '../../../src/core/table';
import type { ColumnRole, RoleAssignment, Table } from '../../../src/core/table/types';
import { FEWEST_SUPPORTED_LOSSES } from '../../../src/core/table/roles';
import { FIT_VERDICT } from '../../../src/core/analysis/trust';
import { tissueLossLaw } from '../../../src/core/analysis/tissueLoss';

/** Role -> column name, for readable assertions. */
function named(table: Table, assignment: RoleAssignment): Partial<Record<ColumnRole, string>> {
  const out: Partial<Record<ColumnRole, string>> = {};
  for (const [role, index] of Object.entries(assignment.roles) as [ColumnRole, number][])
    out[role] = table.columns[index].name;
  return out;
}

function roles(text: string, overrides?: Partial<Record<ColumnRole, string>>, fileName?: string) {
  const table = parseText(text, { fileName });
  const assignment = detectRoles(table, overrides);
  return { table, assignment, named: named(table, assignment) };
}

test('normalisation: case, "-", " " and "." become "_", "/" is kept', () => {
  assert.equal(normaliseColumnName('lr-AdamW'), 'lr_adamw');
  assert.equal(normaliseColumnName('Validation Loss'), 'validation_loss');
  assert.equal(normaliseColumnName('train/learning.rate'), 'train/learning_rate');
});

test('every documented alias of a numeric role is matched', () => {
  for (const role of ['step', 'lr', 'params', 'tokens', 'compute', 'finetuneData', 'bleu'] as ColumnRole[]) {
    for (const alias of ROLE_ALIASES[role]) {
      const { assignment } = roles(`${alias}\n1\n`);
      assert.equal(assignment.roles[role], 0, `${role} alias ${alias}: ${assignment.notes.join(' ')}`);
    }
  }
});

test('loss-curve: step + loss (+ lr) with aliases', () => {
  const { assignment, named: n } = roles('iteration,learning rate,lm_loss\n1,0.1,3\n');
  assert.equal(assignment.kind, 'loss-curve');
  assert.deepEqual(n, { step: 'iteration', lr: 'learning rate', loss: 'lm_loss' });
});

test('loss-curve without lr: a note says how to map one', () => {
  const { assignment } = roles('step,loss\n1,3\n');
  assert.equal(assignment.kind, 'loss-curve');
  assert.ok(assignment.notes.some((n) => /map a column to the lr role/.test(n)));
});

test('lr patterns: lr-AdamW, lr_0, lr-SGD and names ending in /lr', () => {
  assert.equal(roles('step,lr-AdamW/pg1,loss\n1,0.1,3\n').named.lr, 'lr-AdamW/pg1');
  assert.equal(roles('step,lr_0,loss\n1,0.1,3\n').named.lr, 'lr_0');
  assert.equal(roles('step,optim/group0/lr,loss\n1,0.1,3\n').named.lr, 'optim/group0/lr');
});

test('loss fallback: names ending in /loss or _loss', () => {
  assert.equal(roles('step,train/lm_total_loss\n1,3\n').named.loss, 'train/lm_total_loss');
  assert.equal(roles('step,loss/train\n1,3\n').named.loss, 'loss/train');
});

test('patterns skip settings such as loss_scale and lr_warmup_steps', () => {
  const { named: n } = roles('iteration,loss_scale,lr_warmup_steps,train/lm_loss\n1,65536,100,3\n');
  assert.deepEqual(n, { step: 'iteration', loss: 'train/lm_loss' });
});

test('validation loss is preferred over training loss, and the choice is noted', () => {
  const { assignment, named: n } = roles('step,train_loss,validation loss\n1,3,3.1\n');
  assert.equal(n.loss, 'validation loss');
  assert.ok(
    assignment.notes.some((note) => /chose the validation loss "validation loss" over "train_loss"/.test(note)),
  );
  assert.equal(roles('step,train/loss,val/my_loss\n1,3,3.1\n').named.loss, 'val/my_loss', 'also among pattern matches');
});

test('compute kind: params + tokens + loss, with suffixed values', async () => {
  const table = await readTable(join(__dirname, '../../fixtures/table/chinchilla_like.tsv'));
  const assignment = detectRoles(table);
  assert.equal(assignment.kind, 'compute');
  assert.deepEqual(named(table, assignment), { params: 'N', tokens: 'D', compute: 'C', loss: 'loss' });
  assert.deepEqual(table.columns[0].suffixes, ['M', 'B']);
});

test('compute kind: params + compute + loss is enough', () => {
  assert.equal(roles('model_size,FLOPs,loss\n1e8,1e18,3\n2e8,2e18,2.9\n').assignment.kind, 'compute');
});

test('a step column with constant params is one model: loss-curve', () => {
  const { assignment } = roles('step,params,tokens,loss\n1,1e8,1e6,3\n2,1e8,2e6,2.9\n');
  assert.equal(assignment.kind, 'loss-curve');
  assert.equal(roles('step,params,tokens,loss\n1,1e8,1e6,3\n2,2e8,2e6,2.9\n').assignment.kind, 'compute');
});

test('downstream kind: D_p + bleu, with group and finetune data', async () => {
  const table = await readTable(join(__dirname, '../../fixtures/table/downstream_sweep.csv'));
  const assignment = detectRoles(table);
  assert.equal(assignment.kind, 'downstream');
  assert.deepEqual(named(table, assignment), {
    group: 'mix',
    pretrainData: 'D_p',
    finetuneData: 'D_f',
    bleu: 'bleu',
    ce: 'ce',
  });
});

test('downstream: "tokens" is pretraining data and "loss" is the downstream ce', () => {
  const { assignment, named: n } = roles('tokens,loss,bleu\n1e9,2.1,20\n');
  assert.equal(assignment.kind, 'downstream');
  assert.deepEqual(n, { pretrainData: 'tokens', bleu: 'bleu', ce: 'loss' });
  const ce = roles('pretraining_tokens,loss\n1e9,2.1\n');
  assert.equal(ce.assignment.kind, 'downstream');
  assert.equal(ce.named.ce, 'loss');
});

test('outside downstream files "tokens" and "loss" keep their usual roles', () => {
  const { named: n } = roles('params,tokens,loss\n1,2,3\n');
  assert.deepEqual(n, { params: 'params', tokens: 'tokens', loss: 'loss' });
});

test('run and group may be text; numeric roles need numbers', () => {
  const { named: n } = roles('run,step,loss\ncosine,1,3\nwsd,1,3.1\n');
  assert.equal(n.run, 'run');
  const { named: n2, assignment } = roles('step,loss\n1,diverged\n');
  assert.equal(n2.loss, undefined);
  assert.equal(assignment.kind, 'unknown');
});

test('unknown kind: notes say what is missing and how to map it', () => {
  const { assignment } = roles('epoch,my_metric\n1,3\n');
  assert.equal(assignment.kind, 'unknown');
  const note = assignment.notes.join(' ');
  assert.match(note, /loss curve needs step and loss \(found: none\)/);
  assert.match(note, /Map columns to roles/);
  assert.match(note, /columns: epoch, my_metric/);
});

test('overrides by exact column name win over aliases', () => {
  const { assignment, named: n } = roles('epoch,step,my_metric,loss\n1,1,3,3\n', { step: 'epoch', loss: 'my_metric' });
  assert.deepEqual(n, { step: 'epoch', loss: 'my_metric' });
  assert.equal(assignment.kind, 'loss-curve');
  assert.ok(assignment.notes.some((note) => /step → "epoch" \(set by the column mapping\)/.test(note)));
});

test('an override naming a missing column gets a note listing the columns', () => {
  const { assignment, named: n } = roles('step,loss\n1,3\n', { loss: 'val_los' });
  assert.equal(n.loss, 'loss', 'detection still fills the role');
  assert.ok(
    assignment.notes.some((note) =>
      /column mapping loss=val_los: there is no column named "val_los" \(columns: step, loss\)/.test(note),
    ),
  );
});

test('an override naming a text column for a numeric role is refused with a note', () => {
  const { assignment } = roles('step,loss,schedule\n1,3,cosine\n', { loss: 'schedule' });
  assert.equal(assignment.roles.loss, 1);
  assert.ok(assignment.notes.some((note) => /"schedule" has no numeric cells/.test(note)));
});

test('a column is given at most one role', () => {
  const { assignment } = roles('loss\n3\n', { step: 'loss' });
  assert.equal(assignment.roles.step, 0);
  assert.equal(assignment.roles.loss, undefined);
});

// Lightning's self.log(on_step=True, on_epoch=True) writes `<name>_step` and `<name>_epoch`: seen in public
// lightning_logs/version_0/metrics.csv files whose only losses were named so (docs/public-logs.md).
test('loss pattern looks through aggregation suffixes and prefers per-step values to epoch means', () => {
  const both = roles('epoch,step,train_loss_epoch,train_loss_step\n0,49,,2.0\n0,99,,1.8\n0,99,1.9,\n');
  assert.equal(both.assignment.kind, 'loss-curve');
  assert.equal(both.named.loss, 'train_loss_step', both.assignment.notes.join(' '));
  const batch = roles('train_loss_batch,epoch,step\n28.5,0,49\n26.9,0,99\n');
  assert.equal(batch.named.loss, 'train_loss_batch');
  // A validation loss still wins, and the note names the per-step training loss as the other choice.
  const val = roles('epoch,step,train_loss_epoch,train_loss_step,val_loss_epoch\n0,49,,2,\n0,99,1.9,,1.95\n');
  assert.equal(val.named.loss, 'val_loss_epoch');
  assert.match(val.assignment.notes.join(' '), /over "train_loss_step"/);
});

test('a loss logged per step is never taken for the step count', () => {
  const { named: n } = roles('epoch,train_loss_step\n0,2.0\n0,1.8\n');
  assert.equal(n.step, undefined);
  assert.equal(n.loss, 'train_loss_step');
});

// LLaMA-Factory writes "eval_loss": null on every training line of trainer_log.jsonl.
test('an empty validation loss column is said to be empty, not "passed over"', () => {
  const { assignment, named: n } = roles('step,loss,eval_loss\n5,1.7,\n10,1.6,\n');
  assert.equal(n.loss, 'loss');
  const notes = assignment.notes.join(' ');
  assert.match(notes, /validation loss "eval_loss" has no numeric values, so the training loss "loss" is used/);
  assert.doesNotMatch(notes, /validation loss is preferred/);
});

// Keras' CSVLogger writes one row per epoch (epoch, accuracy, loss, val_accuracy, val_loss), as in a public
// training_log.csv: no step, and the epoch is said to be there rather than silently taken as one.
test('a log written per epoch: the epoch is named in a note, not taken as the step', () => {
  const { assignment, named: n } = roles(
    'epoch,accuracy,loss,val_accuracy,val_loss\n0,0.82,0.39,0.86,0.32\n1,0.91,0.23,0.87,0.32\n',
  );
  assert.equal(assignment.kind, 'unknown');
  assert.equal(n.step, undefined);
  assert.match(assignment.notes.join(' '), /no step column: "epoch" counts epochs, not optimizer steps/);
  const mapped = roles('epoch,loss\n0,0.39\n1,0.23\n', { step: 'epoch' });
  assert.equal(mapped.assignment.kind, 'loss-curve');
});

// Lightning writes a metric's epoch mean as `train_acc_epoch`: a metric, not an epoch count to offer as the axis.
test("a metric's epoch mean (train_acc_epoch) is not named as the epoch column of a log without a step", () => {
  const { assignment } = roles('train_acc_epoch,loss\n0.5,0.39\n0.6,0.23\n');
  assert.doesNotMatch(assignment.notes.join(' '), /counts epochs/);
});

test('a step column of hex or of numbers with units is named with its first cell that is not a number', () => {
  const cases: [string, (i: number) => string][] = [
    ['step', (i) => '0x' + (i * 10).toString(16)],
    ['global_step', (i) => `${i * 10} steps`],
  ];
  for (const [name, cellOf] of cases) {
    const rows = Array.from({ length: 50 }, (_, i) => `${cellOf(i + 1)},1e-3,${(3 - i / 100).toFixed(3)}`);
    const { assignment } = roles(`${name},lr,loss\n,1e-3,3.5\n${rows.join('\n')}\n`, undefined, 'run.csv');
    assert.equal(assignment.kind, 'unknown');
    const note = assignment.notes.find((n) => n.startsWith('the step column'));
    // The empty first cell is passed over: the first text cell is on line 3.
    assert.equal(
      note,
      `the step column looks like "${name}" (column 1), but none of its cells is a number: run.csv:3 holds ` +
        `"${cellOf(1)}"; steps must be plain numbers (no hex, no units).`,
    );
  }
  // A numeric step column is taken, with no such note.
  const { assignment } = roles('step,loss\n1,3\n2,2.9\n');
  assert.equal(assignment.kind, 'loss-curve');
  assert.ok(!assignment.notes.some((n) => n.startsWith('the step column')));
});

// A trainer state four evaluations in: eval_loss every 200 steps, the training loss every 15.
test('a validation loss logged too few times to fit yields to the training loss, with a note; mapped, it is kept', () => {
  const rows = ['step,loss,eval_loss,learning_rate'];
  for (let step = 15; step <= 855; step += 15) rows.push(`${step},${(2 - step / 1000).toFixed(3)},,1e-5`);
  for (const step of [200, 400, 600, 800]) rows.push(`${step},,${(1.7 - step / 2000).toFixed(3)},`);
  const text = `${rows.join('\n')}\n`;
  const { assignment, named: n } = roles(text);
  assert.equal(n.loss, 'loss');
  const notes = assignment.notes.join(' ');
  assert.match(
    notes,
    /validation loss "eval_loss" has 4 value\(s\), too few for a loss-curve fit the data supports \(8 at least\).* training loss "loss" \(57 values\)/,
  );
  assert.doesNotMatch(notes, /loss → "eval_loss"/);
  assert.equal(roles(text, { loss: 'eval_loss' }).named.loss, 'eval_loss');
  const seventh = `${text}1000,,1.2,\n1200,,1.15,\n1400,,1.1,\n`;
  assert.equal(roles(seventh).named.loss, 'loss', 'seven evaluations give a fit too sparse to be shown');
  const eighth = `${seventh}1600,,1.05,\n`;
  assert.equal(roles(eighth).named.loss, 'eval_loss', 'eight evaluations are enough');
  // The count is the fit verdict's: two points per coefficient of the LR-annealing law.
  assert.equal(FEWEST_SUPPORTED_LOSSES, FIT_VERDICT.pointsPerCoefficient * tissueLossLaw.coefficients);
  // Fitted with other runs, the run keeps the validation loss: one law over one metric, its points among theirs.
  const table = parseText(text);
  assert.equal(table.columns[detectRoles(table, {}, false).roles.loss!].name, 'eval_loss');
});

// A pretraining script's log without a step: the loss against tokens seen, with its LR.
test('a loss logged against tokens without a step or a model size: the note names the token column and asks for the step', () => {
  const { assignment, named: n } = roles('tokens,loss,lr\n10485760,8.56,3e-5\n20971520,7.95,6.1e-5\n');
  assert.equal(assignment.kind, 'unknown');
  assert.equal(n.step, undefined);
  const notes = assignment.notes.join(' ');
  assert.match(
    notes,
    /no step column: the loss is logged against "tokens" \(tokens seen\); the loss-curve laws count optimizer steps .* so log the step, or the tokens divided by the tokens per step/,
  );
  assert.match(notes, /a compute sweep needs params, loss, and tokens or compute \(found: tokens, loss\)/);
  // With a model size it may be a sweep short of something else: no such note.
  assert.doesNotMatch(roles('params,tokens,loss\n1e8,1e9,3.1\n').assignment.notes.join(' '), /no step column/);
});

test('a smoothed training loss (running, avg) yields to the plain loss beside it, whatever the column order', () => {
  // A W&B-style export: rows per step, a running loss before the step's own loss, a validation loss too sparse to fit.
  const rows = Array.from({ length: 10 }, (_, k) => {
    const step = (k + 1) * 50;
    return `${(9 - k * 0.3).toFixed(2)},${step},${(4 - k * 0.2).toFixed(2)},3e-4,${k % 4 === 3 ? '3.9' : ''}`;
  });
  const sparse = roles(['train/running_loss,step,train/loss,train/learning_rate,eval/loss', ...rows].join('\n'));
  assert.equal(sparse.named.loss, 'train/loss', sparse.assignment.notes.join(' '));
  const plain = roles('avg_loss,step,my_loss\n2.5,1,2.0\n2.4,2,1.9\n');
  assert.equal(plain.named.loss, 'my_loss', plain.assignment.notes.join(' '));
  // Alone, a smoothed loss is still the loss.
  assert.equal(roles('step,running_loss\n1,2.0\n2,1.9\n').named.loss, 'running_loss');
});

test('a per-step role skips a column whose numbers are all on rows without a step (an event log config line)', () => {
  // JSONL events: a config record with "lr" and no step, then step records logging "train/lr".
  const lines = [
    JSON.stringify({ event: 'config', lr: 1e-6, num_steps: 51 }),
    ...Array.from({ length: 6 }, (_, k) =>
      JSON.stringify({ event: 'step', step: k + 1, 'train/loss': 2 - k * 0.1, 'train/lr': 1e-7 * (k + 1) }),
    ),
  ];
  const events = roles(lines.join('\n'), undefined, 'train_log.jsonl');
  assert.equal(events.named.lr, 'train/lr', events.assignment.notes.join(' '));
  assert.equal(events.named.loss, 'train/loss');
  // With no step column nothing is held to it, and a column with a number at a step is still taken.
  assert.equal(roles('lr,loss\n1e-3,2.0\n1e-3,1.9\n').named.lr, 'lr');
  assert.equal(roles('step,lr,loss\n,1e-3,\n1,,2.0\n2,1e-3,1.9\n').named.lr, 'lr');
});

test('an optimizer step is the step over a micro-batch step beside it, whatever the column order', () => {
  // Gradient accumulation logs both: the LR schedule steps with the optimizer.
  const both = roles('micro_step,opt_step,loss_avg,lr\n800,100,3.2,2e-4\n1600,200,3.1,2e-4\n');
  assert.equal(both.named.step, 'opt_step', both.assignment.notes.join(' '));
  assert.equal(
    roles('micro_step,loss,lr\n8,3.2,2e-4\n16,3.1,2e-4\n').named.step,
    'micro_step',
    'alone, it is the step',
  );
});
