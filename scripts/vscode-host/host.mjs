// Runs an extension inside a real VS Code (code-server 4.100.3 = VS Code 1.100.3, web workbench + Node extension host)
// driven by headless Chromium through playwright-core. Installed by scripts/vscode-host/setup.mjs into
// .vscode-test/host/. Types: host.d.mts. Usage and selectors: README.md beside this file.
//
// Every host gets its own temp dir (HOME, XDG_*, TMPDIR, user data, extensions) and its own process group; it is
// torn down by stop(), by the process 'exit' handler, by a max-lifetime timer, and, if this Node process is killed
// outright, by a small detached watchdog process that kills the code-server process group.
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
export const HOST_DIR = join(REPO_ROOT, '.vscode-test', 'host');
export const CODE_SERVER_ENTRY = join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const RESULTS_ENV = 'SCALING_LENS_TEST_RESULTS';

export const DEFAULT_SETTINGS = Object.freeze({
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'npm.autoDetect': 'off',
  'typescript.disableAutomaticTypeAcquisition': true,
  'window.dialogStyle': 'custom',
  'chat.commandCenter.enabled': false,
});

export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
]);

const active = new Set(); // hosts not yet stopped, for the exit handler
let exitHandlerInstalled = false;
function installExitHandler() {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const h of active) h._killSync();
  });
}

/** True when setup.mjs has completed (fast check, no process spawned). */
export function isHostInstalled() {
  return (
    existsSync(CODE_SERVER_ENTRY) &&
    existsSync(join(HOST_DIR, 'setup-complete.json')) &&
    existsSync(join(HOST_DIR, 'node_modules', 'playwright-core'))
  );
}

/** Runs setup.mjs (idempotent; ~1 min on a fresh machine) unless the host is already installed. */
export async function ensureHost({ quiet = false } = {}) {
  if (isHostInstalled()) return;
  const r = spawnSync(process.execPath, [join(here, 'setup.mjs')], {
    stdio: quiet ? 'pipe' : ['ignore', 2, 2],
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `VS Code test host setup failed (exit ${r.status}). Run: node scripts/vscode-host/setup.mjs\n${r.stdout ?? ''}${r.stderr ?? ''}`,
    );
}

export function loadPlaywright() {
  const req = createRequire(join(HOST_DIR, 'package.json'));
  return req('playwright-core');
}

export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return '/usr/bin/chromium';
}

export async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function isolatedEnv(root, extra = {}) {
  const d = {
    HOME: join(root, 'home'),
    XDG_CONFIG_HOME: join(root, 'xdg', 'config'),
    XDG_DATA_HOME: join(root, 'xdg', 'data'),
    XDG_CACHE_HOME: join(root, 'xdg', 'cache'),
    XDG_STATE_HOME: join(root, 'xdg', 'state'),
    XDG_RUNTIME_DIR: join(root, 'xdg', 'run'),
    TMPDIR: join(root, 'tmp'),
  };
  for (const p of Object.values(d)) mkdirSync(p, { recursive: true, mode: 0o700 });
  const env = { ...process.env, ...d, ...extra };
  // Do not leak the test runner's own plumbing into the extension host.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

function remoteUri(authority, absPath) {
  const p = resolve(absPath)
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
  return `vscode-remote://${authority}${p}`;
}

function formatAutomationArgs(args) {
  const list = Array.isArray(args) ? args : [args];
  return list.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
}

/** Installs a .vsix into an extensions dir with code-server's CLI (what a user's "Install from VSIX" does). */
export function installVsixInto({ vsix, extensionsDir, userDataDir, env }) {
  const r = spawnSync(
    process.execPath,
    [
      CODE_SERVER_ENTRY,
      '--extensions-dir',
      extensionsDir,
      '--user-data-dir',
      userDataDir,
      '--install-extension',
      resolve(vsix),
      '--force',
    ],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0 || /failed|error/i.test(r.stderr ?? '')) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${out}`);
  }
  return out;
}

/**
 * Starts code-server + headless Chromium and opens the workbench on `workspace`.
 * @param {import('./host.d.mts').StartHostOptions} opts
 * @returns {Promise<import('./host.d.mts').VsCodeHost>}
 */
export async function startHost(opts = {}) {
  const t0 = Date.now();
  const {
    workspace,
    extensionDevelopmentPath,
    extensionTestsPath,
    env: extraEnv = {},
    settings = {},
    port: wantedPort,
    installVsix,
    viewport = { width: 1400, height: 900 },
    readyTimeoutMs = 90_000,
    maxLifetimeMs = 15 * 60_000,
    keepTemp = !!process.env.VSCODE_HOST_KEEP_TEMP,
    echo = !!process.env.VSCODE_HOST_ECHO,
    autoSetup = true,
    tempRoot,
  } = opts;
  for (const [name, p] of Object.entries({ workspace, extensionDevelopmentPath, extensionTestsPath })) {
    if (p !== undefined && (!isAbsolute(p) || !existsSync(p)))
      throw new Error(`startHost: ${name} must be an existing absolute path: ${p}`);
  }
  if (autoSetup) await ensureHost();
  else if (!isHostInstalled())
    throw new Error('VS Code test host is not installed: run node scripts/vscode-host/setup.mjs');

  const root = tempRoot ?? mkdtempSync(join(tmpdir(), 'vsch-'));
  mkdirSync(root, { recursive: true });
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2),
  );
  const env = isolatedEnv(root, extraEnv);

  /** @type {import('./host.d.mts').HostLogEntry[]} */
  const logs = [];
  const serverLog = createWriteStream(join(root, 'code-server.log'));
  const addLog = (source, type, text) => {
    const entry = { time: Date.now() - t0, source, type, text };
    logs.push(entry);
    if (source === 'server') serverLog.write(text + '\n');
    if (echo) process.stderr.write(`[${source}${type ? ':' + type : ''}] ${text}\n`);
  };

  let server = null;
  let watchdog = null;
  let context = null; // persistent context: its Chromium profile lives under our temp root
  let stopped = false;
  let lifetimeTimer = null;
  let exitCode;
  let resolveExit;
  const exitPromise = new Promise((r) => (resolveExit = r));
  let resolveStopped;
  const stoppedPromise = new Promise((r) => (resolveStopped = r));

  const host = {
    _killSync() {
      if (server && server.exitCode === null && server.signalCode === null) {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {}
      }
      if (!keepTemp) rmSync(root, { recursive: true, force: true, maxRetries: 2 });
    },
  };

  const killWatchdog = () => {
    if (!watchdog) return;
    try {
      process.kill(watchdog.pid, 'SIGKILL');
    } catch {}
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    resolveStopped('stopped');
    if (lifetimeTimer) clearTimeout(lifetimeTimer);
    if (context) await Promise.race([context.close().catch(() => {}), sleep(5000)]);
    if (server && server.exitCode === null && server.signalCode === null) {
      const gone = new Promise((r) => server.once('exit', r));
      try {
        process.kill(-server.pid, 'SIGTERM');
      } catch {}
      const t = await Promise.race([gone.then(() => 'exited'), sleep(4000)]);
      if (t !== 'exited') {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {}
        await Promise.race([gone, sleep(2000)]);
      }
    }
    // Also sweep stragglers of the group (the extension host may outlive the server briefly).
    if (server) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
    killWatchdog();
    await new Promise((r) => serverLog.end(r));
    active.delete(host);
    if (!keepTemp) rmSync(root, { recursive: true, force: true, maxRetries: 3, retryDelay: 200 });
  };

  active.add(host);
  installExitHandler();
  try {
    if (installVsix) {
      const list = Array.isArray(installVsix) ? installVsix : [installVsix];
      for (const v of list)
        addLog('server', 'install', installVsixInto({ vsix: v, extensionsDir, userDataDir, env }).trim());
    }

    // code-server, in its own process group.
    let port;
    for (let attempt = 0; attempt < 3 && !port; attempt++) {
      const p = wantedPort ?? (await freePort());
      const args = [
        CODE_SERVER_ENTRY,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${p}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        '--config',
        join(root, 'code-server-config.yaml'),
      ];
      writeFileSync(join(root, 'code-server-config.yaml'), 'auth: none\ncert: false\n');
      const child = spawn(process.execPath, args, {
        cwd: root,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      server = child;
      let spawnError = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      const onData = (type) => (chunk) => {
        for (const line of chunk.split('\n')) if (line.trim()) addLog('server', type, line);
        if (type === 'stderr') spawnError += chunk;
      };
      child.stdout.on('data', onData('stdout'));
      child.stderr.on('data', onData('stderr'));
      child.on('error', (e) => addLog('server', 'error', String(e)));
      child.on('exit', (code, sig) => addLog('server', 'exit', `code-server exited: ${code ?? sig}`));
      killWatchdog(); // a failed attempt's: its code-server is gone, and the new one watches the same temp dir
      watchdog = spawnWatchdog(child.pid, keepTemp ? null : root);

      const healthy = await waitHealthy(p, child, readyTimeoutMs);
      if (healthy) port = p;
      else if (child.exitCode !== null && /EADDRINUSE/.test(spawnError) && wantedPort === undefined) {
        addLog('server', 'retry', `port ${p} in use, retrying`);
      } else {
        throw new Error(`code-server did not become healthy on port ${p}:\n${tail(logs, 40)}`);
      }
    }
    if (!port) throw new Error(`code-server could not bind a port:\n${tail(logs, 40)}`);
    const baseUrl = `http://127.0.0.1:${port}`;
    const healthyMs = Date.now() - t0;

    lifetimeTimer = setTimeout(() => {
      addLog('harness', 'timeout', `maxLifetimeMs ${maxLifetimeMs} reached: stopping host`);
      stop();
    }, maxLifetimeMs);
    lifetimeTimer.unref();

    // Chromium.
    const { chromium } = loadPlaywright();
    context = await chromium.launchPersistentContext(join(root, 'browser', 'profile'), {
      executablePath: chromiumPath(),
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: isolatedEnv(join(root, 'browser')),
      timeout: 60_000,
      viewport,
      baseURL: baseUrl,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      const text = m.text();
      // In test mode the workbench forwards its own log lines (the '%c'-styled ones) to codeAutomationLog too.
      if (extensionTestsPath && text.startsWith('%c')) return;
      addLog('browser', m.type(), text);
    });
    page.on('pageerror', (e) => addLog('browser', 'pageerror', String(e?.stack ?? e)));
    await page.exposeFunction('codeAutomationLog', (type, args) =>
      addLog('automation', String(type), formatAutomationArgs(args)),
    );
    await page.exposeFunction('codeAutomationExit', (code) => {
      addLog('automation', 'exit', `extension host exited: ${code}`);
      if (exitCode === undefined) {
        exitCode = Number(code);
        resolveExit(exitCode);
      }
    });

    const authority = `127.0.0.1:${port}`;
    const q = new URLSearchParams();
    if (workspace)
      q.set(
        /\.code-workspace$/.test(workspace) && statSync(workspace).isFile() ? 'workspace' : 'folder',
        resolve(workspace),
      );
    const payload = [];
    if (extensionDevelopmentPath)
      payload.push(['extensionDevelopmentPath', remoteUri(authority, extensionDevelopmentPath)]);
    if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(authority, extensionTestsPath)]);
    if (payload.length) q.set('payload', JSON.stringify(payload));
    const url = `${baseUrl}/?${q}`;
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: readyTimeoutMs });
    await page.locator('.monaco-workbench').first().waitFor({ state: 'attached', timeout: readyTimeoutMs });
    const readyMs = Date.now() - t0;
    addLog('harness', 'ready', `code-server healthy after ${healthyMs} ms, workbench after ${readyMs} ms`);

    return Object.assign(host, {
      baseUrl,
      url,
      port,
      page,
      context,
      browser: context.browser(),
      logs,
      tempDir: root,
      userDataDir,
      extensionsDir,
      timings: { healthyMs, readyMs },
      logText: (filter) =>
        logs
          .filter((l) => !filter || filter(l))
          .map((l) => `[${l.source}${l.type ? ':' + l.type : ''}] ${l.text}`)
          .join('\n'),
      async waitForExit(timeoutMs = 120_000) {
        if (exitCode !== undefined) return exitCode;
        let timer;
        const r = await Promise.race([
          exitPromise,
          stoppedPromise,
          new Promise((res) => {
            timer = setTimeout(() => res(undefined), timeoutMs);
            timer.unref(); // never keeps the test process alive on its own
          }),
        ]);
        clearTimeout(timer);
        if (exitCode !== undefined) return exitCode;
        if (r === 'stopped')
          throw Object.assign(new Error('host was stopped before the extension host exited'), { code: 'ESTOPPED' });
        throw Object.assign(new Error(`extension host did not exit within ${timeoutMs} ms:\n${tail(logs, 40)}`), {
          code: 'ETIMEDOUT',
        });
      },
      async waitForLog(pattern, timeoutMs = 30_000, filter) {
        const re = typeof pattern === 'string' ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : pattern;
        const deadline = Date.now() + timeoutMs;
        for (let from = 0; ;) {
          for (; from < logs.length; from++) {
            const l = logs[from];
            if ((!filter || filter(l)) && re.test(l.text)) return l;
          }
          if (stopped)
            throw Object.assign(new Error(`host was stopped while waiting for a log line matching ${re}`), {
              code: 'ESTOPPED',
            });
          if (Date.now() > deadline)
            throw new Error(`no log line matching ${re} within ${timeoutMs} ms:\n${tail(logs, 30)}`);
          await sleep(50);
        }
      },
      async waitForExtensionHost(timeoutMs = 60_000) {
        // The server logs this once the Node extension host process is up (it then loads the extensions).
        return host.waitForLog(/Launched Extension Host Process/, timeoutMs, (l) => l.source === 'server');
      },
      async executeCommand(title, { timeoutMs = 10_000, attempts = 3 } = {}) {
        // Through the command palette, as a user would: F1, type the title, Enter on the matching row. On a loaded
        // machine the palette can open before the command list (or the editor's context keys) caught up: try again.
        const input = page.locator('.quick-input-widget .quick-input-box input');
        const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
        // The palette can also close again between opening and typing (focus moving to an editor group or a webview
        // that just settled): typing into it is part of the attempt, with the same timeout.
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press('F1');
          try {
            await input.waitFor({ state: 'visible', timeout: timeoutMs });
            await input.fill(`>${title}`, { timeout: timeoutMs });
            await row.waitFor({ state: 'visible', timeout: timeoutMs });
            break;
          } catch (error) {
            if (attempt >= attempts) throw error;
            await page.keyboard.press('Escape');
          }
        }
        await row.click();
      },
      get exitCode() {
        return exitCode;
      },
      async screenshot(path, options = {}) {
        mkdirSync(dirname(resolve(path)), { recursive: true });
        // animations: 'disabled' finishes CSS transitions (menus fade in), so the picture shows the settled UI.
        return page.screenshot({ path, animations: 'disabled', ...options });
      },
      stop,
    });
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Runs an in-host test suite (extensionTestsPath: a CommonJS module exporting run(): Promise<void>) and returns its
 * exit code. The suite may write JSON to the path in env SCALING_LENS_TEST_RESULTS; it is returned parsed.
 * @param {import('./host.d.mts').RunExtensionTestsOptions} opts
 */
export async function runExtensionTests(opts) {
  const { timeoutMs = 120_000, env = {}, screenshotOnFailure, ...rest } = opts;
  const resultsDir = mkdtempSync(join(tmpdir(), 'vsch-results-'));
  const resultsPath = join(resultsDir, 'results.json');
  const t0 = Date.now();
  let host;
  try {
    host = await startHost({ ...rest, env: { ...env, [RESULTS_ENV]: resultsPath } });
    let exitCode = null;
    let timedOut = false;
    try {
      exitCode = await host.waitForExit(timeoutMs);
    } catch (e) {
      if (e.code !== 'ETIMEDOUT') throw e;
      timedOut = true;
    }
    if ((exitCode !== 0 || timedOut) && screenshotOnFailure) await host.screenshot(screenshotOnFailure).catch(() => {});
    let resultsJson;
    if (existsSync(resultsPath)) {
      const raw = readFileSync(resultsPath, 'utf8');
      try {
        resultsJson = JSON.parse(raw);
      } catch {
        resultsJson = { unparsable: raw };
      }
    }
    const logs = host.logs;
    return {
      exitCode,
      timedOut,
      logs,
      logText: host.logText(),
      testOutput: host.logText((l) => l.source === 'automation'),
      resultsJson,
      timings: { ...host.timings, totalMs: Date.now() - t0 },
    };
  } finally {
    await host?.stop();
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

async function waitHealthy(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return true;
    } catch {}
    await sleep(100);
  }
  return false;
}

function tail(logs, n) {
  return logs
    .slice(-n)
    .map((l) => `[${l.source}${l.type ? ':' + l.type : ''}] ${l.text}`)
    .join('\n');
}

// A detached process that outlives us: if this Node process dies without cleaning up (SIGKILL, SIGINT, crash), it
// kills code-server's process group and removes the temp dir. stop() kills it, so it acts only when this process
// died without stopping the host. It watches this process alone: code-server exits on its own within 2 s of this
// process's end, often before the watchdog looks, and the temp dir must go then too (it used to give up once the
// group was gone, leaving vsch-* behind).
function spawnWatchdog(pgid, dirToRemove) {
  const code = `
    const [parent, pgid, dir] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
    const t = setInterval(() => {
      if (alive(parent)) return;
      clearInterval(t);
      try { process.kill(-pgid, 'SIGTERM'); } catch {}
      setTimeout(() => {
        try { process.kill(-pgid, 'SIGKILL'); } catch {}
        if (dir) try { require('fs').rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
      }, 3000);
    }, 1000);`;
  const w = spawn(process.execPath, ['-e', code, String(process.pid), String(pgid), dirToRemove ?? ''], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '' },
  });
  w.unref();
  return w;
}
