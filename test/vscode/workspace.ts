// The workspace the in-host suite runs in, for both launchers: the examples plus a loss log over 50 MB.
import { closeSync, cpSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/shared';

/**
 * Fills the empty folder `dir` (a scratch folder the launcher removes once VS Code is done with it) with the examples
 * and a loss log over 50 MB (VS Code never syncs such files to extensions); returns it.
 */
export function makeWorkspace(dir: string): string {
  for (const sub of ['loss', 'downstream', 'compute'])
    cpSync(join(REPO, 'examples', sub), join(dir, sub), { recursive: true });
  mkdirSync(join(dir, 'big'));
  writeLongRun(join(dir, 'big', 'long_run.csv'));
  return dir;
}

/** A cosine loss log of `rows` steps (1.7M: over 50 MB) at `path`, written in chunks: the long log of the suite and the bench. */
export function writeLongRun(path: string, rows = 1_700_000): void {
  const fd = openSync(path, 'w');
  writeSync(fd, 'step,lr,loss,grad_norm\n');
  const chunk: string[] = [];
  for (let s = 1; s <= rows; s++) {
    const lr =
      s < 2000 ? (3e-4 * s) / 2000 : 3e-4 * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (s - 2000)) / (rows - 2000))));
    const loss = 2.5 + 4 * Math.pow(s, -0.45) + 0.002 * Math.sin(s * 12.9898);
    chunk.push(`${s},${lr.toPrecision(6)},${loss.toFixed(5)},${(1 + 0.1 * Math.cos(s)).toFixed(4)}`);
    if (chunk.length === 50000) {
      writeSync(fd, chunk.join('\n') + '\n');
      chunk.length = 0;
    }
  }
  if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
}
