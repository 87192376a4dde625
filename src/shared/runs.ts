// The Runs view's messages: the client asks for the runs under its workspace folders; the server answers at once with
// what it found (and what it knows of each already), then sends each run's overview as its fit finishes.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { RunOverview } from '../core/analysis/runOverview';

export type { RunOverview };

export interface RunEntry {
  /** The run's file or folder. */
  uri: string;
  /** Its path under the workspace folder it was found in. */
  name: string;
  /** The workspace folder (URI) it was found in. */
  root: string;
  /** Last change on disk (ms since the epoch): a run changed in the last minutes is taken to be training. */
  modifiedMs: number;
  /** Undefined until its fit finishes. */
  overview?: RunOverview;
}

export interface RunsResult {
  runs: RunEntry[];
  /** What the scans said of the folders (parts left out by a limit, files skipped), one line each. */
  notes: string[];
}

export const RunsRequest = new RequestType<{ roots: string[] }, RunsResult, void>('scalingLens/runs');

/** Overviews that finished since the last answer or notification. */
export const RunsUpdatedNotification = new NotificationType<{ runs: RunEntry[] }>('scalingLens/runsUpdated');

/** A run counts as training when it changed less than this long ago. */
export const TRAINING_WITHIN_MS = 10 * 60 * 1000;
