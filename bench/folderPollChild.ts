// The measuring side of the folder poll row (folderLive.ts, folderPollBench): `node folderPollChild.js <runs>`, bundled
// as shipped. Writes a folder of `runs` small CSV runs and follows it twice in one process: as `watch` and the language
// server do (the runs to look at told by fs.watch, a sweep every SWEEP_EVERY polls), and sweeping every poll, as every
// poll did before (every entry stamped, every run's tail updated). Times polls with nothing changed, alternated, and
// an update after one run grew. Prints a FolderPollOutcome as JSON.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FolderTail, SWEEP_EVERY } from '../src/core/live/folderTail';
import { runTail } from '../src/core/live/tails';
import { SCRATCH_DIR } from './paths';
import type { FolderPollOutcome } from './folderLive';

const POLLS = 60;

async function main(): Promise<void> {
  const runs = Number(process.argv[2]);
  const folder = join(SCRATCH_DIR, 'folder-poll');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const file = (i: number) => join(folder, `run-${String(i).padStart(4, '0')}.csv`);
  for (let i = 0; i < runs; i++) writeFileSync(file(i), 'step,lr,loss\n1,3e-4,3.1\n2,3e-4,3.0\n');
  const told = new FolderTail(folder, {}, runTail);
  const swept = new FolderTail(folder, {}, runTail, { changes: () => null });
  for (const tail of [told, swept]) for (let i = 0; i < 2; i++) await tail.update(); // read, and settled
  const timed = async (tail: FolderTail) => {
    const started = performance.now();
    const update = await tail.update();
    return { ms: performance.now() - started, change: update.change };
  };
  const pollMs: number[] = [];
  const sweepMs: number[] = [];
  // Idle polls, alternated; the told follower's periodic sweep falls among them, as it would.
  for (let poll = 0; poll < POLLS; poll++) {
    pollMs.push((await timed(told)).ms);
    sweepMs.push((await timed(swept)).ms);
  }
  appendFileSync(file(runs >> 1), '3,3e-4,2.9\n');
  const grown = await timed(told);
  const grownSwept = await timed(swept);
  if (grown.change !== 'appended' || grownSwept.change !== 'appended')
    throw new Error(`one run grown: ${grown.change}, swept: ${grownSwept.change}`);
  told.close();
  rmSync(folder, { recursive: true, force: true });
  const outcome: FolderPollOutcome = {
    runs,
    sweepEvery: SWEEP_EVERY,
    pollMs,
    sweepMs,
    grownMs: grown.ms,
    grownSweptMs: grownSwept.ms,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

void main();
