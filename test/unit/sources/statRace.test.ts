// A file of a run looked at and then opened (an MLflow param, meta.yaml, a trainer_state.json) that is replaced by a
// FIFO in between: each is opened once and checked by its descriptor (openRegularFile, then fstat), so the read says
// what it found, never waits on the FIFO for a writer (it hung: readFile and open(path, 'r') block on a FIFO).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import fsPromises from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { readSource } from '../../../src/core/sources';
import { readJsonDocument } from '../../../src/core/sources/json/document';
import { scratchDir } from '../../helpers/scratch';

const dir = scratchDir('sl-stat-race-');
const RUN = join(dir, 'mlruns', '0', 'a'.repeat(32));
const STATE = join(dir, 'out', 'trainer_state.json');
const fifos: string[] = [];

after(() => {
  // Lets an open still waiting on a FIFO go (the bug), so the process can end.
  for (const fifo of fifos)
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // No reader waiting.
    }
});

/** Replaces `path` by a FIFO at the first stat or open of it (after the stat, before the open): the race made certain. */
function swapAtFirstLook(t: { mock: { method: typeof test.mock.method } }, path: string): void {
  let swapped = false;
  const swap = () => {
    if (swapped) return;
    swapped = true;
    rmSync(path);
    execFileSync('mkfifo', [path]);
    fifos.push(path);
  };
  const [realStat, realOpen] = [fsPromises.stat, fsPromises.open];
  t.mock.method(fsPromises, 'stat', async (...args: Parameters<typeof realStat>) => {
    const info = await realStat(...args);
    if (args[0] === path) swap();
    return info;
  });
  t.mock.method(fsPromises, 'open', async (...args: Parameters<typeof realOpen>) => {
    if (args[0] === path) swap();
    return realOpen(...args);
  });
  syncBuiltinESMExports();
}

const within = <T>(read: Promise<T>) =>
  Promise.race([read, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref())]);

function writeRun(): void {
  rmSync(join(dir, 'mlruns'), { recursive: true, force: true });
  mkdirSync(join(RUN, 'metrics'), { recursive: true });
  mkdirSync(join(RUN, 'params'), { recursive: true });
  writeFileSync(join(RUN, 'meta.yaml'), 'run_name: race\nlifecycle_stage: active\n');
  writeFileSync(join(RUN, 'metrics', 'loss'), '1 3.0 1\n2 2.9 2\n3 2.8 3\n');
  writeFileSync(join(RUN, 'params', 'learning_rate'), '0.001\n');
}

for (const [what, file] of [
  ['an MLflow param', 'params/learning_rate'],
  ["an MLflow run's meta.yaml (a YAML config, as hparams.yaml)", 'meta.yaml'],
] as const)
  test(`${what} replaced by a FIFO between its stat and its open is said, the run read, never waited on`, async (t) => {
    writeRun();
    const path = join(RUN, file);
    swapAtFirstLook(t, path);
    const read = await within(readSource(RUN));
    t.mock.restoreAll();
    syncBuiltinESMExports();
    assert.notEqual(read, 'hung');
    const [table] = read === 'hung' ? [] : read.tables;
    assert.equal(table.rowCount, 3);
    const said = table.problems.find((p) => p.message.includes('FIFO'));
    assert.match(said?.message ?? '', /is a FIFO \(named pipe\), not a regular file/);
  });

test('a trainer_state.json replaced by a FIFO between its stat and its open is said, never waited on', async (t) => {
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(
    STATE,
    JSON.stringify({
      global_step: 2,
      log_history: [
        { step: 1, loss: 3 },
        { step: 2, loss: 2.9 },
      ],
    }),
  );
  swapAtFirstLook(t, STATE);
  const table = await within(readJsonDocument(STATE));
  t.mock.restoreAll();
  syncBuiltinESMExports();
  assert.notEqual(table, 'hung');
  if (table === 'hung') return;
  assert.match(table.problems[0]?.message ?? '', /is a FIFO \(named pipe\), not a regular file/);
});
