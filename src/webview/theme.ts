// Canvas needs concrete colours: read them from VS Code's theme variables, and again whenever the theme changes.

export interface Theme {
  foreground: string;
  grid: string;
  background: string;
  font: string;
  palette: string[];
  /** Break markers and highlighted rows. */
  alert: string;
  highContrast: boolean;
  /** A light background (Light Modern, a light high-contrast theme): fills need more opacity there (bandAlpha). */
  light: boolean;
}

const FALLBACK = ['#3794ff', '#f14c4c', '#89d185', '#cca700', '#d18616', '#b180d7'];
const PALETTE_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-yellow',
  '--vscode-charts-red',
];

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-charts-foreground', v('--vscode-editor-foreground', '#cccccc'));
  const kind = (name: string) => document.body.classList.contains(name);
  return {
    foreground,
    grid: v('--vscode-charts-lines', v('--vscode-editorIndentGuide-background1', 'rgba(128,128,128,0.35)')),
    background: v('--vscode-editor-background', '#1e1e1e'),
    font: v('--vscode-font-family', 'sans-serif'),
    palette: PALETTE_VARS.map((name, i) => v(name, FALLBACK[i])),
    alert: v('--vscode-charts-red', '#f14c4c'),
    highContrast: kind('vscode-high-contrast') || kind('vscode-high-contrast-light'),
    // The theme's kind, as VS Code gives it on the body: a light theme's bands need more opacity (bandAlpha).
    light: kind('vscode-light') || kind('vscode-high-contrast-light'),
  };
}

/**
 * The fill opacity of a band, and of a new run's (half of it, around the law's). On a light background the dark
 * theme's tint (0.15) read as faint (test/e2e/look.test.ts's shots), so a light theme's bands are filled twice as
 * strongly, as high contrast's are; a dark theme's a little more than before.
 */
export function bandAlpha(theme: Theme, run: boolean): number {
  const law = theme.highContrast ? 0.3 : theme.light ? 0.3 : 0.18;
  return run ? law / 2 : law;
}

/** The red, green and blue (0-255) of a colour in a CSS form the theme gives (#rgb, #rrggbb, rgb(), rgba()). */
function rgbOf(color: string): [number, number, number] | undefined {
  const hex = color.match(/^#([0-9a-f]{3,8})$/i);
  if (hex) {
    let h = hex[1];
    if (h.length <= 4) h = [...h].map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
    return [r, g, b];
  }
  const rgb = color.match(/^rgba?\(([^)]+)\)$/i);
  if (!rgb) return undefined;
  const [r, g, b] = rgb[1].split(/[ ,/]+/).map(Number);
  return [r, g, b];
}

/** A colour at some opacity, whatever CSS form the theme gave it in (#rgb, #rrggbb, rgb(), rgba()). */
export function withAlpha(color: string, alpha: number): string {
  const rgb = rgbOf(color);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})` : color;
}

/** Calls back when VS Code switches theme (it changes the body's class and data-vscode-theme-kind). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-kind'],
  });
}
