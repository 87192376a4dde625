// The worker's event log (eventLog.ts): replayed, its parts make exactly the sink calls logged, in order, whatever
// the calls (a record and its scalar joined into one op, several scalars per record, every other kind of call), and
// when parts are written into buffers given back by the reading thread.
import { test } from 'node:test';
import { recorder } from '../../helpers/eventRecorder';
import assert from 'node:assert/strict';
import type { EventSink } from '../../../src/core/sources/tensorboard';
import { EventLog, logBuffers, replay } from '../../../src/core/sources/tensorboard/eventLog';

/** Sink calls of every kind, in an order that varies with `i`: tags in a writer's order, and out of it. */
function makeCalls(sink: EventSink, i: number): void {
  const tags = ['loss', 'lr', `eval/${i % 3}`];
  sink.record?.(i * 40);
  sink.scalar(tags[i % 3], i, i / 7);
  if (i % 5 === 0) sink.scalar(tags[(i + 1) % 3], i, -i);
  if (i % 11 === 0) sink.skipped('histogram');
  if (i % 13 === 0) sink.sessionStart(i);
  if (i % 17 === 0) sink.corrupt(i * 40 + 3, 'its data fails its CRC check');
  if (i % 19 === 0) sink.record?.(i * 40 + 20); // a record without a scalar
}

test('parts replayed in order make the calls logged, also when written into buffers given back', () => {
  for (const giveBack of [false, true]) {
    const direct = recorder();
    const replayed = recorder();
    const log = new EventLog();
    for (let i = 0; i < 3000; i++) {
      makeCalls(direct.sink, i);
      makeCalls(log, i);
      if (i % 97 === 96 || i === 2999) {
        const part = log.take();
        replay(part, replayed.sink);
        if (giveBack) log.recycle(logBuffers(part));
      }
    }
    assert.deepEqual(replayed.calls, direct.calls);
    assert.ok(direct.calls.length > 4000);
  }
});

test('a part holds the records logged since the last take', () => {
  const log = new EventLog();
  for (let i = 0; i < 10; i++) makeCalls(log, i);
  assert.equal(log.records, 10 + 1); // the record without a scalar at i = 0
  log.take();
  assert.equal(log.records, 0);
});

test('a part of records of one scalar each goes whole to a sink that takes it, and call by call when it declines', () => {
  const log = new EventLog();
  for (let i = 0; i < 10; i++) {
    log.record(i * 40);
    log.scalar(i % 2 === 0 ? 'loss' : 'lr', i, i / 7);
  }
  const part = log.take();
  for (const takes of [true, false]) {
    const { sink, calls } = recorder();
    const whole: string[] = [];
    sink.scalarRecords = ({ count, nums, tagIds, tags }) => {
      for (let i = 0; i < count; i++)
        whole.push(`${nums[3 * i]} ${tags[tagIds[i]]} ${nums[3 * i + 1]} ${nums[3 * i + 2]}`);
      return takes;
    };
    replay(part, sink);
    assert.equal(whole.length, 10);
    assert.equal(whole[3], `120 lr 3 ${3 / 7}`);
    assert.equal(calls.length, takes ? 0 : 20);
  }
  // A part with any other call is made call by call.
  log.record(0);
  log.scalar('loss', 1, 1);
  log.skipped('image');
  const { sink, calls } = recorder();
  let offered = false;
  sink.scalarRecords = () => (offered = true);
  replay(log.take(), sink);
  assert.equal(offered, false);
  assert.deepEqual(calls, ['record 0', 'scalar loss 1 1', 'skipped image']);
});
