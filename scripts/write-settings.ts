// `npm run settings:write`: rewrites package.json's `contributes.configuration` from the options table
// (src/core/options/schema.ts). test/unit/options/manifest.test.ts fails until this has been run after a change.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageJsonWithSettings } from '../src/core/options/manifest';

const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
const before = readFileSync(path, 'utf8');
const after = packageJsonWithSettings(before);
if (after === before) console.log('package.json: settings already match the options table');
else {
  writeFileSync(path, after);
  console.log('package.json: contributes.configuration rewritten from the options table');
}
