// Workload 5: time from "Show Chart" to the chart's first draw for the 1,000,000-row log, measured in the browser
// (code-server + headless Chromium, scripts/vscode-host). The clock starts when the command palette runs the
// command and stops when the webview records its first draw of data (Chart.js afterRender, the test hook of
// src/webview/main.ts), polled from playwright. The fit is not in the figure: the file is opened and its CodeLens
// awaited first.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_DIR } from './paths';
import { fmtMs, type BenchRow } from './report';

const BUDGET_MS = 1000;

/** Why the panel cannot be measured in this checkout, or null when it can. */
export function panelUnavailable(): string | null {
  const needed = ['src/client/chartPanel.ts', 'src/webview/main.ts'];
  const missing = needed.filter((p) => !existsSync(join(REPO_DIR, p)));
  if (missing.length) return `chart panel not available (${missing.join(', ')} missing)`;
  if (!existsSync(join(REPO_DIR, 'dist', 'webview.js'))) return 'chart panel not available (dist/webview.js not built)';
  return null;
}

interface HostPage {
  locator(selector: string, options?: unknown): { first(): HostLocator; waitFor(options?: unknown): Promise<void> };
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  frameLocator(selector: string): unknown;
  frames(): { url(): string; evaluate<T>(fn: () => T): Promise<T> }[];
}
interface HostLocator {
  waitFor(options?: unknown): Promise<void>;
  dblclick(): Promise<void>;
}
interface Host {
  page: HostPage;
  waitForExtensionHost(): Promise<void>;
  executeCommand(title: string): Promise<void>;
  stop(): Promise<void>;
}

export async function panelBench(options: { file: string; rows: number; quick: boolean; log: (s: string) => void }): Promise<BenchRow> {
  const workload = `Panel: Show Chart -> first draw (${options.rows.toLocaleString('en')}-row log)`;
  const budget = `< ${fmtMs(BUDGET_MS)}`;
  const unavailable = panelUnavailable();
  if (unavailable) return { group: 5, workload, ours: `skipped: ${unavailable}`, peer: '', ratio: '', budget, met: null };
  if (options.quick || process.env.SCALING_LENS_BENCH_NO_HOST === '1') return { group: 5, workload, ours: `skipped: ${options.quick ? '--quick (the browser host takes minutes)' : 'SCALING_LENS_BENCH_NO_HOST=1'}`, peer: '', ratio: '', budget, met: null };

  const workspace = mkdtempSync(join(tmpdir(), 'sl-bench-panel-'));
  const name = basename(options.file);
  copyFileSync(options.file, join(workspace, name));
  let host: Host | undefined;
  try {
    const lib = (await import(pathToFileURL(join(REPO_DIR, 'scripts', 'vscode-host', 'host.mjs')).href)) as { startHost(o: unknown): Promise<Host> };
    options.log('  starting code-server + Chromium...');
    host = await lib.startHost({ workspace, extensionDevelopmentPath: REPO_DIR, maxLifetimeMs: 8 * 60_000 });
    const page = host.page;
    await host.waitForExtensionHost();
    // Open the log from the explorer, then wait for its lens: the fit is done, so the figure is the panel's own.
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.dblclick();
    const lensSeen = await page.locator('.codelens-decoration').first().waitFor({ timeout: 240_000 }).then(() => true, () => false);
    const started = performance.now();
    await host.executeCommand('Scaling Lens: Show Chart');
    const drawn = await waitForFirstDraw(page, started, 120_000);
    const fitNote = lensSeen ? '' : ' (no CodeLens seen first: includes the fit)';
    if (drawn === null) return { group: 5, workload, ours: `not measured: no first draw within 120 s${fitNote}`, peer: '', ratio: '', budget, met: null };
    return {
      group: 5,
      workload: `${workload}${fitNote}`,
      ours: `${fmtMs(drawn.ms)}${drawn.webview ? ` (webview: data -> pixels ${fmtMs(drawn.webview.firstDraw - drawn.webview.firstData)})` : ''}`,
      peer: '',
      ratio: '',
      budget,
      met: lensSeen ? drawn.ms < BUDGET_MS : null,
      data: { ms: drawn.ms, webviewTiming: drawn.webview, lensSeen },
    };
  } catch (error) {
    return { group: 5, workload, ours: `not measured: ${(error as Error).message.split('\n')[0]}`, peer: '', ratio: '', budget, met: null };
  } finally {
    await host?.stop().catch(() => undefined);
    rmSync(workspace, { recursive: true, force: true });
  }
}

interface WebviewTiming {
  started: number;
  firstData: number;
  firstDraw: number;
}

/**
 * Polls every frame for the webview's own record of its first draw (window.__scalingLensChart.timing, kept by
 * src/webview/main.ts for the browser tests). Returns ms since `started`.
 */
async function waitForFirstDraw(page: HostPage, started: number, timeoutMs: number): Promise<{ ms: number; webview?: WebviewTiming } | null> {
  while (performance.now() - started < timeoutMs) {
    for (const frame of page.frames()) {
      const seen = await frame
        .evaluate(() => {
          const hook = (globalThis as unknown as { __scalingLensChart?: { timing?: WebviewTiming } }).__scalingLensChart;
          if (hook?.timing) return hook.timing.firstDraw > 0 ? hook.timing : null;
          return null;
        })
        .catch(() => null);
      if (seen) return { ms: performance.now() - started, webview: seen };
    }
    await new Promise((r) => setTimeout(r, 16));
  }
  return null;
}
