// Text the panel lays out in lines (its title, the what-if form's heading and results, the notes), with each
// hyphenated word kept on one line: a browser breaks after any hyphen, and a narrow panel showed "LR-" / "annealing
// law" across lines. The text is the same (textContent); the words are spans that do not wrap (media/chart.css).

/** A hyphenated word: letters or digits joined by hyphens ("LR-annealing", "misaligned-en-fr", "k-1"). */
const HYPHENATED = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+/gu;

/** Longer hyphenated words (a file name of many parts) may still wrap: kept whole, they would run past the panel. */
const WHOLE_MAX = 40;

/** `text` cut into parts, each hyphenated word a part marked `whole`, in order: they join back to `text`. */
export function hyphenatedParts(text: string): { text: string; whole: boolean }[] {
  const parts: { text: string; whole: boolean }[] = [];
  let at = 0;
  for (const m of text.matchAll(HYPHENATED)) {
    if (m[0].length > WHOLE_MAX) continue;
    if (m.index > at) parts.push({ text: text.slice(at, m.index), whole: false });
    parts.push({ text: m[0], whole: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), whole: false });
  return parts;
}

/** Sets `el`'s text (as text, never markup), each hyphenated word in a span of class `word` kept on one line. */
export function setText(el: HTMLElement, text: string): void {
  el.replaceChildren(
    ...hyphenatedParts(text).map((p) =>
      p.whole ? Object.assign(document.createElement('span'), { className: 'word', textContent: p.text }) : p.text,
    ),
  );
}

/** A new element of `tag` holding `text` as setText sets it. */
export function textElement<K extends keyof HTMLElementTagNameMap>(tag: K, text: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setText(el, text);
  return el;
}
