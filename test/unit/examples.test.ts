import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateAll } from '../../scripts/generate-examples';
import { REPO } from '../helpers/shared';
import { scratchDir } from '../helpers/scratch';

test('the committed examples are exactly what the generator writes', () => {
  const dir = scratchDir('scaling-lens-examples-');
  const files = generateAll(dir);
  assert.ok(files.length > 0);
  for (const file of files) {
    const committed = join(REPO, 'examples', relative(dir, file));
    assert.equal(
      readFileSync(file, 'utf8'),
      readFileSync(committed, 'utf8'),
      `${committed} differs from the generator: run npm run examples`,
    );
  }
});
