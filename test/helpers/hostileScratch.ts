// A scratch folder for hostile inputs that may hold FIFOs: removed after the tests, and any reader still blocked on
// one of its FIFOs (the defect such tests guard against) released first, so the test process can end.
import { after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HostileScratch {
  root: string;
  /** Makes a FIFO at `path` (POSIX only) and returns the path. */
  fifo(path: string): string;
}

export function hostileScratch(prefix: string): HostileScratch {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const fifos: string[] = [];
  after(() => {
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  return {
    root,
    fifo(path) {
      execFileSync('mkfifo', [path]);
      fifos.push(path);
      return path;
    },
  };
}
