// The one place a URI from the editor becomes a path on disk. Only a local `file:` URI names one; an `untitled:`,
// `git:` or remote document, a `file://host/...` URI (a share on another machine) and a `file:` URI that Node cannot
// turn into a path (an encoded `/` in a name) have none: their text is the open document's, never read from disk.
import { fileURLToPath } from 'node:url';

/** The path on this machine that `uri` names, or null when it names none. */
export function diskPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}
