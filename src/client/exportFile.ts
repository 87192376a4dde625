// Export Fit's write to a local file, apart from VS Code so it can be tested in plain Node: the pages are appended as
// they come (a million-row log's document is 240 MB), and the file is removed when a page or the write fails, so no
// half document is left where the user will look for an export.
import { open, rm } from 'node:fs/promises';

/** Writes `pages` to `path` in turn; on any failure (a page, a write, the close) removes the file and rethrows. */
export async function writePagesToFile(path: string, pages: AsyncIterable<string>): Promise<void> {
  const file = await open(path, 'w');
  try {
    for await (const text of pages) await file.write(text);
    await file.close();
  } catch (error) {
    // A close that failed has already let the handle go: closing again fails too, and is not the error to report.
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
}
