// The chart panel's editor tab title, without VS Code so that a unit test can build it.
import { shownOnOneLine } from '../core/util/controls';

/**
 * "Chart: loss.csv": the file's name as plain one-line text. A tab draws no `$(icon)`, but a right-to-left override in
 * a file name would draw the tab backwards and a newline or an escape sequence would show raw.
 */
export function chartTabTitle(path: string): string {
  return `Chart: ${shownOnOneLine(path.split('/').pop() ?? path)}`;
}
