import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { collectGarbage } from '../../src/server/gc';
import { SERVER_EXEC_ARGV } from '../../src/shared/protocol';

const REPO = join(__dirname, '..', '..');

test('collectGarbage is a harmless no-op when gc() is not exposed', () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'this test runs without --expose-gc');
  assert.doesNotThrow(() => collectGarbage());
});

test('with the flags the client starts the server with, collectGarbage frees unreachable buffers', () => {
  const script = `
    const { collectGarbage } = require(${JSON.stringify(join(REPO, 'src', 'server', 'gc.ts'))});
    const ref = (() => new WeakRef({ values: new Float64Array(1 << 20) }))();
    // A WeakRef holds its target until the end of the job that made it.
    setImmediate(() => { collectGarbage(); console.log(ref.deref() === undefined ? 'collected' : 'alive'); });
  `;
  const run = spawnSync(process.execPath, [...SERVER_EXEC_ARGV, '--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    cwd: REPO,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), 'collected');
});
