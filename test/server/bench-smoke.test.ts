// A tiny run of every benchmark (`bench/run.ts --quick`, a few seconds): the benchmarks keep working as the code
// changes. Budgets are not judged here (timings are not tests); only that each workload produced its row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/shared';

test('npm run bench --quick produces a row for every workload', { timeout: 300_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench/run.ts'), '--quick'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr.slice(-2000));
  const results = JSON.parse(readFileSync(join(REPO, 'bench/results/quick.json'), 'utf8')) as {
    rows: { group: number; workload: string; ours: string }[];
  };
  for (const group of [1, 2, 3, 4, 6, 10]) {
    const rows = results.rows.filter((r) => r.group === group);
    assert.ok(rows.length > 0, `workload ${group} has rows`);
    for (const r of rows) assert.ok(r.ours && !/error|failed/i.test(r.ours), `${r.workload}: ${r.ours}`);
  }
  assert.match(run.stdout, /budgets met: \d+, not met: \d+/);
});
