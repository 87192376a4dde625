// Direct tests of the presentation's shared words (src/server/present.ts): the column picker's answer and group labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsOf, groupLabel } from '../../src/server/present';
import { analyse, DOWNSTREAM, LOSS } from '../helpers/presentFiles';

test('the column picker gets every column and the role each was taken for', async () => {
  assert.deepEqual(columnsOf(await analyse(LOSS)), {
    columns: ['step', 'lr', 'loss'],
    roles: { step: 'step', lr: 'lr', loss: 'loss' },
    kind: 'loss-curve',
  });
  const downstream = columnsOf(await analyse(DOWNSTREAM));
  assert.equal(downstream.kind, 'downstream');
  assert.equal(downstream.roles.bleu, 'bleu');
  assert.deepEqual(columnsOf(undefined), { columns: [], roles: {}, kind: 'unknown' });
});

test('group labels: the mix, then D_f compacted; the fallback when there are no fields', () => {
  assert.equal(groupLabel({ mix: 'en-fr', D_f: 42e6 }), 'en-fr / D_f 42M');
  assert.equal(groupLabel({ df: '1.2B' }), 'D_f 1.2B');
  assert.equal(groupLabel(undefined, 'all rows'), 'all rows');
});
