// Where a worker thread's script is. Workers run bundles (esbuild, one per entry in esbuild.mjs): inside a bundle
// they sit beside it in dist/. Running from source (tests under tsx) workers get no TypeScript loader, so the build
// in <repo>/dist is used — the test runner builds first, so tests exercise the shipped worker.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Path of dist/<name>, or null when it has not been built. */
export function bundledWorker(name: string): string | null {
  for (const candidate of [join(__dirname, name), join(__dirname, '..', '..', '..', 'dist', name)])
    if (existsSync(candidate)) return candidate;
  return null;
}
