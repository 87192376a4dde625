// An input that is not there (a wrong path, or a run not started yet) is said once to be missing and then left
// alone: every tail finds it unchanged on later updates, so a follower analyses it once, not at every poll, and reads
// it as soon as it appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventTail } from '../../../src/core/live/eventTail';
import { Follower } from '../../../src/core/live/follower';
import type { Tail } from '../../../src/core/live/tail';
import { TextTail } from '../../../src/core/live/textTail';
import { WholeTail } from '../../../src/core/live/wholeTail';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-missing-');

/** The problems a tail's current read reports, its tables' and its own. */
function problemsOf(tail: Tail): string[] {
  const { tables, problems } = tail.current();
  return [...problems, ...tables.flatMap((t) => t.problems)].map((p) => `${p.code}: ${p.message}`);
}

for (const [kind, make] of [
  ['text', (path: string) => new TextTail(path)],
  ['event', (path: string) => new EventTail(path)],
  ['whole', (path: string) => new WholeTail(path)],
] as const)
  test(`the ${kind} tail says once that its input does not exist, then finds it unchanged`, async () => {
    const path = join(dir, `${kind}-missing.json`);
    const tail = make(path);
    assert.equal((await tail.update()).change, 'waiting');
    assert.deepEqual(problemsOf(tail), [`file-unreadable: ${path} does not exist; check the path`]);
    for (let i = 0; i < 3; i++) assert.equal((await tail.update()).change, 'unchanged', `poll ${i + 1}`);
  });

test('a follower analyses a missing file once, then not at each poll, and reads it once it appears', async () => {
  const path = join(dir, 'later.csv');
  const follower = await Follower.open([path], { analysis: { bootstrapSamples: 0 } });
  const first = (await follower.update())!;
  assert.deepEqual(
    first.analysis.findings.map((f) => [f.code, f.message]),
    [['file-unreadable', `${path} does not exist; check the path`]],
  );
  for (let i = 0; i < 3; i++) assert.equal(await follower.update(), null, `poll ${i + 1}: nothing to analyse`);

  let rows = 'step,lr,loss\n';
  for (let step = 100; step <= 5000; step += 100) rows += `${step},0.0003,${2.5 + 4 * step ** -0.45}\n`;
  writeFileSync(path, rows);
  const appeared = (await follower.update())!;
  assert.equal(appeared.inputs[0].change, 'read');
  assert.equal(appeared.inputs[0].rows, 50);
  assert.ok(!appeared.analysis.findings.some((f) => f.code === 'file-unreadable'));
});
