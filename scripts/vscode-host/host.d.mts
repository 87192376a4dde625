// Types for host.mjs (so TypeScript test files can import it under the repo's tsconfig).
// playwright-core lives in .vscode-test/host/ (installed by setup.mjs), not in the project's node_modules, so its
// objects are typed loosely here; cast to playwright-core's types in a test if wanted.
/* eslint-disable @typescript-eslint/no-explicit-any -- playwright-core's types are not resolvable from the repo */

/** A playwright-core Page / BrowserContext / Browser (from .vscode-test/host/node_modules/playwright-core). */
export type PlaywrightPage = any;
export type PlaywrightBrowser = any;
export type PlaywrightContext = any;

export interface HostLogEntry {
  /** ms since startHost() was called */
  time: number;
  /** server: code-server stdout/stderr; automation: codeAutomationLog (test output + workbench log lines);
   *  browser: page console/pageerror; harness: this library */
  source: 'server' | 'automation' | 'browser' | 'harness';
  type: string;
  text: string;
}

export interface StartHostOptions {
  /** Absolute path of the folder (or .code-workspace file) to open. */
  workspace?: string;
  /** Absolute path of the extension folder (its package.json has engines.vscode <= ^1.100 and main). */
  extensionDevelopmentPath?: string;
  /** Absolute path of a CommonJS module exporting run(): Promise<void>; it runs in the extension host. */
  extensionTestsPath?: string;
  /** Extra environment for code-server (reaches the extension host). A value of undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** User settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Fixed port; default: a free 127.0.0.1 port. */
  port?: number;
  /** .vsix file(s) installed into the host's own extensions dir before start (code-server --install-extension). */
  installVsix?: string | string[];
  viewport?: { width: number; height: number };
  /** Time allowed for code-server health + workbench load (default 90 s). */
  readyTimeoutMs?: number;
  /** Hard stop after this long, whatever happens (default 15 min). */
  maxLifetimeMs?: number;
  /** Keep the temp dir after stop() (also env VSCODE_HOST_KEEP_TEMP=1). */
  keepTemp?: boolean;
  /** Echo every log line to stderr as it comes (also env VSCODE_HOST_ECHO=1). */
  echo?: boolean;
  /** Run setup.mjs when the host is not installed (default true). */
  autoSetup?: boolean;
  /** Use this dir instead of a fresh mkdtemp under os.tmpdir(). */
  tempRoot?: string;
}

export interface VsCodeHost {
  baseUrl: string;
  /** The workbench URL that was opened (with folder and payload). */
  url: string;
  port: number;
  page: PlaywrightPage;
  context: PlaywrightContext;
  /** context.browser() (may be null: the context is a persistent one, so Chromium's profile is in tempDir) */
  browser: PlaywrightBrowser | null;
  /** Live array of log entries. */
  logs: HostLogEntry[];
  tempDir: string;
  userDataDir: string;
  extensionsDir: string;
  timings: { healthyMs: number; readyMs: number };
  /** Exit code reported through codeAutomationExit, once it came. */
  readonly exitCode: number | undefined;
  logText(filter?: (l: HostLogEntry) => boolean): string;
  /** Resolves with the extension host's exit code (test mode); throws (code ETIMEDOUT) after timeoutMs. */
  waitForExit(timeoutMs?: number): Promise<number>;
  /** Waits until a log line matches (string = literal substring). */
  waitForLog(
    pattern: string | RegExp,
    timeoutMs?: number,
    filter?: (l: HostLogEntry) => boolean,
  ): Promise<HostLogEntry>;
  /** Waits until code-server has launched the Node extension host process. */
  waitForExtensionHost(timeoutMs?: number): Promise<HostLogEntry>;
  /** Runs a command through the command palette (F1, type title, click the row). */
  executeCommand(title: string, options?: { timeoutMs?: number }): Promise<void>;
  screenshot(path: string, options?: Record<string, unknown>): Promise<Buffer>;
  /** Closes the browser, kills code-server's process group, removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export interface RunExtensionTestsOptions extends StartHostOptions {
  workspace: string;
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** How long the suite may run after the workbench is up (default 120 s). */
  timeoutMs?: number;
  /** Save a screenshot here when the suite fails or times out. */
  screenshotOnFailure?: string;
}

export interface RunExtensionTestsResult {
  /** The extension host's exit code (0 = run() resolved), or null on timeout. */
  exitCode: number | null;
  timedOut: boolean;
  logs: HostLogEntry[];
  /** All logs as text. */
  logText: string;
  /** Only the codeAutomationLog lines (the suite's console output, plus workbench log lines). */
  testOutput: string;
  /** What the suite wrote to the path in env SCALING_LENS_TEST_RESULTS, parsed. */
  resultsJson?: any;
  timings: { healthyMs: number; readyMs: number; totalMs: number };
}

export const REPO_ROOT: string;
export const HOST_DIR: string;
export const CODE_SERVER_ENTRY: string;
/** 'SCALING_LENS_TEST_RESULTS' */
export const RESULTS_ENV: string;
export const DEFAULT_SETTINGS: Readonly<Record<string, unknown>>;
export const CHROMIUM_ARGS: readonly string[];

export function isHostInstalled(): boolean;
export function ensureHost(options?: { quiet?: boolean }): Promise<void>;
export function loadPlaywright(): any;
export function chromiumPath(): string;
export function freePort(): Promise<number>;
export function installVsixInto(options: {
  vsix: string;
  extensionsDir: string;
  userDataDir: string;
  env?: NodeJS.ProcessEnv;
}): string;
export function startHost(options?: StartHostOptions): Promise<VsCodeHost>;
export function runExtensionTests(options: RunExtensionTestsOptions): Promise<RunExtensionTestsResult>;
