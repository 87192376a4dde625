// Export Fit's write to a local file, apart from VS Code so it can be tested in plain Node: the pages are appended as
// they come (a million-row log's document is 240 MB) to a temporary file beside the target, which replaces the target
// only once every page is in. So a failed export leaves no half document where the user will look for one, and an
// older file the user chose to overwrite stays as it was.
import { randomBytes } from 'node:crypto';
import { chmod, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `pages` to `path` in turn. On any failure (a page, a write, the close, the rename) the target is left as it
 * was before (absent, or the older file) and the error rethrown. Where no temporary file can be made beside the target
 * (a folder the user may not create files in, though the file itself is writable), the target is written in place,
 * and removed on failure.
 */
export async function writePagesToFile(path: string, pages: AsyncIterable<string>): Promise<void> {
  const target = await linkTarget(path);
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  let file: FileHandle;
  try {
    file = await open(temporary, 'wx');
  } catch {
    return writeInPlace(target, pages);
  }
  try {
    await writeAll(file, pages);
    await keepMode(target, temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The file a path names: an existing link's target (replacing the link itself would cut it from its file). */
async function linkTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

/** The pages written and the file closed; the handle let go whatever fails. */
async function writeAll(file: FileHandle, pages: AsyncIterable<string>): Promise<void> {
  try {
    for await (const text of pages) await file.write(text);
  } catch (error) {
    // A close that failed has already let the handle go: closing again fails too, and is not the error to report.
    await file.close().catch(() => undefined);
    throw error;
  }
  await file.close();
}

/** An overwritten file keeps its permissions (a file made only for the user stays so). */
async function keepMode(target: string, temporary: string): Promise<void> {
  const older = await stat(target).catch(() => undefined);
  if (older) await chmod(temporary, older.mode & 0o7777);
}

/** The write straight to the target, removed if anything fails (no temporary file could be made beside it). */
async function writeInPlace(path: string, pages: AsyncIterable<string>): Promise<void> {
  const file = await open(path, 'w');
  try {
    await writeAll(file, pages);
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
