// A scratch folder for hostile inputs that may hold FIFOs: removed after the tests, and any reader still blocked on
// one of its FIFOs (the defect such tests guard against) released first, so the test process can end.
import { after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { scratchDir } from './scratch';

export interface HostileScratch {
  root: string;
  /** Makes a FIFO at `path` (POSIX only) and returns the path. */
  fifo(path: string): string;
}

export function hostileScratch(prefix: string): HostileScratch {
  const fifos: string[] = [];
  // Registered before the folder is made: `after` hooks run in order, so the readers are released, then it is removed.
  after(() => {
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK));
      } catch {
        // already gone
      }
    }
  });
  const root = scratchDir(prefix);
  return {
    root,
    fifo(path) {
      execFileSync('mkfifo', [path]);
      fifos.push(path);
      return path;
    },
  };
}
