// Writes every bundled example under examples/. Deterministic: a test checks the committed files match.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as compute from './examples/compute';
import * as downstream from './examples/downstream';
import * as loss from './examples/loss';

export const EXAMPLE_SETS: { dir: string; generate: (outDir: string) => string[] }[] = [
  { dir: 'loss', generate: loss.generate },
  { dir: 'downstream', generate: downstream.generate },
  { dir: 'compute', generate: compute.generate },
];

export function generateAll(root: string): string[] {
  return EXAMPLE_SETS.flatMap(({ dir, generate }) => {
    const outDir = join(root, dir);
    mkdirSync(outDir, { recursive: true });
    return generate(outDir);
  });
}

if (require.main === module) {
  const root = resolve(process.argv[2] ?? join(__dirname, '..', 'examples'));
  for (const file of generateAll(root)) console.log(`wrote ${file}`);
}
