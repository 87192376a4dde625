// Scratch folders for tests and benches: made under the OS temp dir and removed when whoever made them is done, pass
// or fail, so a run of the suite leaves nothing behind in /tmp. The one place that makes them: a unit test
// (test/unit/scratch.test.ts) fails on any other mkdtemp or tmpdir() call in the repo's sources.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder under the OS temp dir, removed by an `after` hook: after the test that made it (its body and the
 * `after` hooks it registered earlier), or, made at a file's top level, after the file's tests. Not in a `before`
 * hook: an `after` registered there runs as soon as that hook ends. node:test runs `after` hooks in the order they
 * were registered, so a folder handed to a process that is still running (a server, a watcher, code-server) is made
 * *after* registering that process's teardown: it is then removed only once the process is done with it.
 */
export function scratchDir(prefix: string): string {
  const dir = makeScratch(prefix);
  after(() => removeScratch(dir));
  return dir;
}

/** A fresh folder under the OS temp dir that the caller removes with removeScratch (benches and scripts, no node:test). */
export function makeScratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  removeOnInterrupt(dir);
  return dir;
}

/** Removes a scratch folder and all in it; retries while a process that just let go of it finishes closing files. */
export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
  pending.delete(dir);
}

/** Folders made and not yet removed: Ctrl-C (SIGINT) or a kill (SIGTERM) ends a test before its `after` hooks run. */
const pending = new Set<string>();

let interruptHooked = false;
function removeOnInterrupt(dir: string): void {
  pending.add(dir);
  if (interruptHooked) return;
  interruptHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      for (const left of pending) removeScratch(left);
      // With this listener gone the signal ends the process as it would have (unless the code under test listens too).
      process.kill(process.pid, signal);
    });
}
