// Several files and folders fitted together (a selection in the explorer or the Runs view) are one subject, like a
// file: its analysis, lenses-free status, chart and predictions are keyed by one URI that lists its members. The
// client makes it, the server reads its members back; nothing else parses it.

export const RUN_SET_SCHEME = 'scaling-lens-set';

/** The URI of the set of `members` (file URIs), the same for the same members in any order. */
export function runSetUri(members: readonly string[]): string {
  const sorted = [...new Set(members)].sort();
  return `${RUN_SET_SCHEME}:/${sorted.length}-runs?${encodeURIComponent(JSON.stringify(sorted))}`;
}

/** The member URIs of a set URI, or null when the URI is not a set. */
export function runSetMembers(uri: string): string[] | null {
  if (!uri.startsWith(`${RUN_SET_SCHEME}:`)) return null;
  const query = uri.indexOf('?');
  if (query < 0) return null;
  try {
    const members: unknown = JSON.parse(decodeURIComponent(uri.slice(query + 1)));
    return Array.isArray(members) && members.every((m) => typeof m === 'string') ? members : null;
  } catch {
    return null;
  }
}
