// `scaling-lens watch`: spawned on a run file, it prints one compact JSON line per update (the `fit --json` shape
// without per-point arrays), a new one after rows are appended (and none for a line still being written), a
// law-departure finding once the run leaves its law, and ends with status 0 on SIGINT and on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO } from '../../helpers/shared';
import { lossRows } from '../../../bench/workloads';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('scaling-lens-watch-');

const ROWS = [...lossRows(800, 9, 0.005)];
const csv = (from: number, to: number, bend = 1) =>
  ROWS.slice(from, to)
    .map((r) => `${r.step},${r.lr},${r.loss * bend}\n`)
    .join('');

interface Update {
  fits: { law: string }[];
  curves: Record<string, unknown>[];
  findings: { code: string; message: string }[];
  update: { inputs: { change: string; rows: number }[]; start: string };
}

/** Starts `watch --json` and hands out its lines one by one. */
function watch(path: string) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'src/cli/main.ts'),
      'watch',
      path,
      '--json',
      '--law',
      'lr-annealing',
      '--bootstrap',
      '0',
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    async next(): Promise<Update> {
      const line = await lines.next();
      assert.equal(line.done, false, `watch ended early: ${stderr}`);
      return JSON.parse(line.value as string) as Update;
    },
  };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`watch prints an update per change and ends with 0 on ${signal}`, { timeout: 120_000 }, async () => {
    const path = join(dir, `run-${signal}.csv`);
    writeFileSync(path, `step,lr,loss\n${csv(0, 400)}`);
    const run = watch(path);
    const first = await run.next();
    assert.deepEqual(
      first.update.inputs.map((i) => [i.change, i.rows]),
      [['read', 400]],
    );
    assert.equal(first.update.start, 'cold');
    assert.equal(first.fits[0].law, 'lr-annealing');
    assert.ok(!('observed' in first.curves[0]) && !('lines' in first.curves[0]), 'no per-point arrays');
    assert.equal(first.curves[0].points, 400);

    appendFileSync(path, `${csv(400, 500)}401`); // the last line is still being written: not data yet
    const second = await run.next();
    assert.deepEqual(
      second.update.inputs.map((i) => [i.change, i.rows]),
      [['appended', 500]],
    );
    assert.equal(second.update.start, 'warm');
    assert.deepEqual(
      second.findings.filter((f) => f.code === 'law-departure'),
      [],
    );

    // The rest of the line, then a run that leaves its law: 30 % above it from step 701 on.
    appendFileSync(path, `${csv(400, 800).slice(3).split('\n').slice(0, 300).join('\n')}\n${csv(700, 800, 1.3)}`);
    let third = await run.next();
    while (third.update.inputs[0].rows < 800) third = await run.next();
    const departure = third.findings.find((f) => f.code === 'law-departure');
    assert.match(departure?.message ?? '', /has left its law from step 70\d/);

    run.child.kill(signal);
    assert.equal(await run.exited, 0, run.stderr());
  });
}

test(
  'watch ends at once on SIGTERM while an update reads and fits, with status 0 and nothing printed after it',
  { timeout: 120_000 },
  async (t) => {
    // A trainer_state.json of 200,000 entries: each change reads it whole, then fits it cold (its lines moved).
    const path = join(dir, 'trainer_state.json');
    const history = ROWS.slice(0, 400).map((r) => ({ step: r.step, loss: r.loss, learning_rate: r.lr }));
    const state = (entries: number) =>
      JSON.stringify({
        global_step: entries,
        log_history: Array.from({ length: entries }, (_, i) => ({ ...history[i % 400], step: i + 1 })),
      });
    writeFileSync(path, state(400));
    const run = watch(path);
    const first = await run.next();
    assert.equal(first.update.inputs[0].rows, 400);
    writeFileSync(path, state(200_000));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the update is reading it by now (fs.watch tells at once)
    let printed = 0;
    run.child.stdout.on('data', (chunk: Buffer) => (printed += chunk.length));
    const sent = performance.now();
    run.child.kill('SIGTERM');
    const code = await run.exited;
    const took = performance.now() - sent;
    assert.equal(code, 0, run.stderr());
    // It waited for the update under way (a whole read and a cold fit: 2-5 s) and printed it after the signal: now
    // nothing is printed after it. The time is said, not judged (a loaded machine stretches it); a hang would fail.
    t.diagnostic(`ended ${took.toFixed(0)} ms after SIGTERM`);
    assert.equal(printed, 0, 'nothing printed after the signal');
  },
);
