// Direct tests of the presentation's shared words (src/server/present.ts): the column picker's answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnsOf } from '../../src/server/present';
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
