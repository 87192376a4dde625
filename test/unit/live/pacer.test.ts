// The pacing of live updates (src/core/live/pacer.ts): pokes ten times a second give one run per interval, never two
// at once, and the last poke is always followed by a run (trailing edge); none after stop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pacer } from '../../../src/core/live/pacer';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('pokes at 10 Hz for 1.2 s with a 400 ms interval: about three runs, spaced, the last after the last poke', async () => {
  const starts: number[] = [];
  let running = 0;
  let overlapped = false;
  const pacer = new Pacer(400, async () => {
    overlapped ||= running > 0;
    running++;
    starts.push(performance.now());
    await sleep(30);
    running--;
  });
  const began = performance.now();
  let lastPoke = 0;
  while (performance.now() - began < 1200) {
    lastPoke = performance.now();
    pacer.poke();
    await sleep(100);
  }
  await sleep(600);
  pacer.stop();
  assert.equal(overlapped, false, 'never two runs at once');
  assert.ok(starts.length >= 3 && starts.length <= 5, `${starts.length} runs for 12 pokes`);
  for (let i = 1; i < starts.length; i++)
    assert.ok(starts[i] - starts[i - 1] >= 390, `runs ${i - 1} and ${i} ${starts[i] - starts[i - 1]} ms apart`);
  assert.ok(starts[starts.length - 1] >= lastPoke, 'a run starts after the last poke (trailing edge)');
});

test('the first poke runs at once; after stop() nothing runs', async () => {
  let runs = 0;
  const pacer = new Pacer(10_000, async () => void runs++);
  pacer.poke();
  await sleep(20);
  assert.equal(runs, 1);
  pacer.poke(); // within the interval: scheduled for later
  pacer.stop();
  await sleep(50);
  assert.equal(runs, 1);
});

test('a run that found nothing to do does not delay the next: a change right after a no-op poll runs at once', async () => {
  const starts: number[] = [];
  let changed = false;
  const pacer = new Pacer(10_000, async () => {
    starts.push(performance.now());
    const did = changed;
    changed = false;
    return did;
  });
  pacer.poke(); // a poll: nothing changed
  await sleep(20);
  changed = true;
  pacer.poke(); // a change: not held for the 10 s interval
  await sleep(20);
  assert.equal(starts.length, 2);
  pacer.poke(); // within the interval of a run that did something: held
  await sleep(20);
  pacer.stop();
  assert.equal(starts.length, 2);
});
