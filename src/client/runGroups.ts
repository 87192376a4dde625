// The Runs view's groups and labels, without VS Code (so they are tested in plain Node): runs are grouped by their
// folder under the workspace folder they were found in. Names are the user's file and folder names: a group or run
// label shows their control and bidirectional characters as `\xHH` / `\uXXXX`, as every other surface does.
import { shownOnOneLine } from '../core/util/controls';
import type { RunEntry } from '../shared/runs';

export interface RunGroup {
  label: string;
  runs: RunEntry[];
}

/**
 * Runs (in the order to show) grouped by workspace folder and folder under it, each group once. Two workspace
 * folders of one name (two checkouts' `runs`) used to share one group; a label two groups would share names its
 * workspace folder, and the folder's path when the names are the same too.
 */
export function groupRuns(runs: RunEntry[], rootName: (root: string) => string): RunGroup[] {
  const groups = new Map<string, { root: string; folder: string; runs: RunEntry[] }>();
  for (const run of runs) {
    const folder = run.name.split('/').slice(0, -1).join('/');
    const key = `${run.root}\n${folder}`;
    const group = groups.get(key);
    if (group) group.runs.push(run);
    else groups.set(key, { root: run.root, folder, runs: [run] });
  }
  const plain = (g: { root: string; folder: string }) => g.folder || rootName(g.root);
  const named = (g: { root: string; folder: string }) =>
    g.folder ? `${g.folder} · ${rootName(g.root)}` : rootName(g.root);
  const count = (labels: string[]) => labels.reduce((m, l) => m.set(l, (m.get(l) ?? 0) + 1), new Map<string, number>());
  const all = [...groups.values()];
  const plainCount = count(all.map(plain));
  const namedCount = count(all.map(named));
  return all.map((g) => {
    const label =
      plainCount.get(plain(g)) === 1
        ? plain(g)
        : namedCount.get(named(g)) === 1
          ? named(g)
          : `${named(g)} (${rootPath(g.root)})`;
    return { label: shownOnOneLine(label), runs: g.runs };
  });
}

/** A run's label: its own file or folder name. */
export function runLabel(entry: RunEntry): string {
  return shownOnOneLine(entry.name.split('/').pop() ?? entry.name);
}

/** A workspace folder's path as the user reads it, from its URI. */
function rootPath(root: string): string {
  try {
    return decodeURIComponent(new URL(root).pathname);
  } catch {
    return root;
  }
}
