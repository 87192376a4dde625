// Scratch folders for tests and benches: made under the OS temp dir and removed when whoever made them is done, pass
// or fail, so a run of the suite leaves nothing behind in /tmp. The one place that makes them: a unit test
// (test/unit/scratch.test.ts) fails on any other mkdtemp or tmpdir() call in the repo's sources.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh folder under the OS temp dir, removed by an `after` hook: after the test that made it (its body and its own
 * `after` hooks registered earlier), or, made at a file's top level or in a `before` hook, after the file's tests.
 * node:test runs `after` hooks in the order they were registered, so a folder handed to a process that is still
 * running (a server, a watcher, code-server) must be made *after* registering that process's teardown: it is then
 * removed only once the process is done with it.
 */
export function scratchDir(prefix: string): string {
  const dir = makeScratch(prefix);
  after(() => removeScratch(dir));
  return dir;
}

/** A fresh folder under the OS temp dir that the caller removes with removeScratch (benches and scripts, no node:test). */
export function makeScratch(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a scratch folder and all in it; retries while a process that just let go of it finishes closing files. */
export function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}
