// The text of the "Predict at..." answers' document (the client shows it beside the run file): the core's words for
// each prediction, with the file text in them (run, group and column names, the file's path) escaped as Markdown, so a
// name holding a line break or Markdown stays inside its own line of the list, as text.
import { describePrediction, type ShownText } from '../core/analysis/describe';
import type { Prediction } from '../core/analysis/types';
import { markdownText } from './markdown';

/** One question and its answer; the question's file text (a power law's column) is escaped by who words it. */
export interface PredictionsAnswer {
  question: string;
  predictions: Prediction[];
}

const MARKDOWN: ShownText = { name: markdownText, line: markdownText };

/** The answers as Markdown, newest first, one prediction per line; `file` the run file's path as the user knows it. */
export function predictionsMarkdown(file: string, answers: readonly PredictionsAnswer[]): string {
  const sections = answers.map((a) =>
    [`## ${a.question}`, '', ...a.predictions.map((p) => `- ${describePrediction(p, MARKDOWN)}`)].join('\n'),
  );
  return [
    `# Scaling Lens predictions for ${markdownText(file)}`,
    '',
    'Each value is followed by its 95 % band in brackets. Newest answer first; run "Predict at…" again to add one.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
