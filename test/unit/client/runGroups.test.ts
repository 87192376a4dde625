// The Runs view's groups and labels (src/client/runGroups.ts), without a VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupRuns, runLabel } from '../../../src/client/runGroups';
import type { RunEntry } from '../../../src/shared/runs';

const run = (root: string, name: string): RunEntry => ({
  uri: `${root}/${name}.csv`,
  name,
  root,
  modifiedMs: 0,
});
const A = 'file:///home/u/a/runs';
const B = 'file:///home/u/b/runs';
const C = 'file:///home/u/c/logs';
const NAMES: Record<string, string> = { [A]: 'runs', [B]: 'runs', [C]: 'logs' };

test('two workspace folders of one name keep their runs apart, each group told by its path', () => {
  const groups = groupRuns(
    [run(A, 'x'), run(B, 'x'), run(A, 'sub/y'), run(B, 'sub/y'), run(C, 'sub/z'), run(C, 'solo/w')],
    (root) => NAMES[root],
  );
  assert.deepEqual(
    groups.map((g) => [g.label, g.runs.map((r) => r.uri)]),
    [
      ['runs (/home/u/a/runs)', [`${A}/x.csv`]],
      ['runs (/home/u/b/runs)', [`${B}/x.csv`]],
      ['sub · runs (/home/u/a/runs)', [`${A}/sub/y.csv`]],
      ['sub · runs (/home/u/b/runs)', [`${B}/sub/y.csv`]],
      ['sub · logs', [`${C}/sub/z.csv`]],
      ['solo', [`${C}/solo/w.csv`]],
    ],
  );
});

test('group and run labels show control and bidirectional characters of file names as visible escapes', () => {
  const root = 'file:///w';
  const [group] = groupRuns([run(root, 'a\u001b[2J\nb/r\u202eun\t1')], () => 'w');
  assert.equal(group.label, 'a\\x1b[2J\\x0ab');
  assert.equal(runLabel(group.runs[0]), 'r\\u202eun\\x091');
});
