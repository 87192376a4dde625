#!/usr/bin/env node
// Installs the VS Code test host: code-server (a real VS Code 1.100.3: web workbench + Node extension host) and
// playwright-core (to drive headless Chromium), into .vscode-test/host/ (git-ignored), plus the Debian packages
// chromium, libkrb5-dev and ripgrep. Idempotent: exits at once when the marker matches.
//
// Usage: node scripts/vscode-host/setup.mjs [--force]
// Works without a TTY (CI=true). Exits non-zero with a message on any failure.
// See scripts/vscode-host/README.md.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3; newer 4.1xx need Node 24
export const PLAYWRIGHT_CORE_VERSION = '1.65.1';
// @vscode/ripgrep (inside code-server's VS Code) downloads rg from GitHub unless this cached archive exists.
const RIPGREP_CACHE = [
  { dir: 'vscode-ripgrep-cache-1.15.11', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
  { dir: 'vscode-ripgrep-cache-1.15.10', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
  { dir: 'vscode-ripgrep-cache-1.15.9', file: 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz' },
];
const APT_PACKAGES = [
  { pkg: 'chromium', check: '/usr/bin/chromium' },
  { pkg: 'ripgrep', check: '/usr/bin/rg' },
  { pkg: 'libkrb5-dev', check: '/usr/include/gssapi/gssapi.h' },
];

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '..', '..');
export const HOST_DIR = join(REPO_ROOT, '.vscode-test', 'host');
const MARKER = join(HOST_DIR, 'setup-complete.json');
// Committed lockfile for the host's own package.json (reproducible installs). Regenerate with --update-lock.
const LOCKFILE = join(here, 'host-package-lock.json');
const lockHash = existsSync(LOCKFILE)
  ? createHash('sha256').update(readFileSync(LOCKFILE)).digest('hex').slice(0, 16)
  : null;
const wanted = {
  codeServer: CODE_SERVER_VERSION,
  playwrightCore: PLAYWRIGHT_CORE_VERSION,
  node: process.versions.node.split('.')[0],
  lock: lockHash,
};

const t0 = Date.now();
const timings = {};
const log = (msg) => console.log(`[vscode-host setup] ${msg}`);
function fail(msg) {
  console.error(`[vscode-host setup] FAILED: ${msg}`);
  process.exit(1);
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r;
}
function timed(name, fn) {
  const s = Date.now();
  const out = fn();
  timings[name] = (Date.now() - s) / 1000;
  log(`${name}: ${timings[name].toFixed(1)} s`);
  return out;
}

export function isInstalled() {
  if (!existsSync(join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) return false;
  if (!existsSync(join(HOST_DIR, 'node_modules', 'playwright-core', 'package.json'))) return false;
  if (!APT_PACKAGES.every((p) => existsSync(p.check))) return false;
  try {
    const m = JSON.parse(readFileSync(MARKER, 'utf8'));
    return Object.entries(wanted).every(([k, v]) => m[k] === v);
  } catch {
    return false;
  }
}

function hostPackageJson() {
  return (
    JSON.stringify(
      {
        name: 'scaling-lens-vscode-test-host',
        private: true,
        description: 'VS Code test host (code-server + playwright-core); made by scripts/vscode-host/setup.mjs',
        dependencies: { 'code-server': CODE_SERVER_VERSION, 'playwright-core': PLAYWRIGHT_CORE_VERSION },
        // npm 11's install-script policy: code-server's postinstall (which builds VS Code's node_modules) must run.
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    ) + '\n'
  );
}

function lockMatches() {
  try {
    const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8'));
    const deps = lock.packages?.['']?.dependencies ?? {};
    return deps['code-server'] === CODE_SERVER_VERSION && deps['playwright-core'] === PLAYWRIGHT_CORE_VERSION;
  } catch {
    return false;
  }
}

function main() {
  const updateLock = process.argv.includes('--update-lock');
  const force = process.argv.includes('--force') || updateLock;
  if (!force && isInstalled()) {
    log(
      `already installed (code-server ${CODE_SERVER_VERSION}, playwright-core ${PLAYWRIGHT_CORE_VERSION}) in ${HOST_DIR}`,
    );
    return;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail(`only linux x64 is supported (this is ${process.platform} ${process.arch})`);
  if (process.versions.node.split('.')[0] !== '20') {
    fail(`code-server ${CODE_SERVER_VERSION} needs Node 20 (this is ${process.version})`);
  }

  // 1. Debian packages.
  const missing = APT_PACKAGES.filter((p) => !existsSync(p.check)).map((p) => p.pkg);
  if (missing.length) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot)
      fail(`missing Debian packages; run as root:  apt-get update && apt-get install -y ${missing.join(' ')}`);
    const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    timed('apt-get update', () => run('apt-get', ['update', '-q'], { env: aptEnv }));
    timed(`apt-get install ${missing.join(' ')}`, () =>
      run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env: aptEnv }),
    );
    const still = APT_PACKAGES.filter((p) => !existsSync(p.check));
    if (still.length) fail(`after apt-get install, still missing: ${still.map((p) => p.check).join(', ')}`);
  }

  // 2. Fresh install folder with its own package.json (the project's own npm install stays untouched).
  rmSync(HOST_DIR, { recursive: true, force: true });
  mkdirSync(HOST_DIR, { recursive: true });
  const tmp = join(HOST_DIR, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(HOST_DIR, 'package.json'), hostPackageJson());
  // No .npmrc user settings leak in that could break this (e.g. ignore-scripts).
  writeFileSync(join(HOST_DIR, '.npmrc'), 'ignore-scripts=false\nstrict-allow-scripts=false\n');
  const useLock = !updateLock && existsSync(LOCKFILE) && lockMatches();
  if (useLock) writeFileSync(join(HOST_DIR, 'package-lock.json'), readFileSync(LOCKFILE));
  else log(updateLock ? 'regenerating the lockfile' : 'no matching host-package-lock.json: resolving versions afresh');

  // 3. ripgrep cache archive made from Debian's rg (a tar.gz holding one file named rg).
  timed('ripgrep cache', () => {
    const rgDir = join(tmp, 'rg-bin');
    mkdirSync(rgDir, { recursive: true });
    run('cp', ['/usr/bin/rg', join(rgDir, 'rg')]);
    for (const c of RIPGREP_CACHE) {
      mkdirSync(join(tmp, c.dir), { recursive: true });
      run('tar', ['-czf', join(tmp, c.dir, c.file), '-C', rgDir, 'rg']);
    }
  });

  // 4. npm install.
  const env = {
    ...process.env,
    TMPDIR: tmp, // where @vscode/ripgrep looks for its cache
    npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root otherwise
    npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`, cancelled otherwise
    npm_config_nodedir: '/usr', // local Node headers; node-gyp would try to download them
    npm_config_ignore_scripts: 'false',
    npm_config_strict_allow_scripts: 'false', // unreviewed scripts of nested installs run (with a notice)
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_progress: 'false',
    CI: process.env.CI ?? 'true',
  };
  delete env.npm_config_allow_scripts; // an env allow-scripts list is an error in project-scoped installs
  timed(
    `npm ${useLock ? 'ci' : 'install'} code-server@${CODE_SERVER_VERSION} playwright-core@${PLAYWRIGHT_CORE_VERSION}`,
    () =>
      run('npm', useLock ? ['ci', '--foreground-scripts'] : ['install', '--foreground-scripts'], {
        cwd: HOST_DIR,
        env,
      }),
  );
  if (updateLock) {
    writeFileSync(LOCKFILE, readFileSync(join(HOST_DIR, 'package-lock.json')));
    log(`wrote ${LOCKFILE}`);
  }

  // 5. Verify that the postinstall really ran (it installs VS Code's own node_modules).
  const vscodeDir = join(HOST_DIR, 'node_modules', 'code-server', 'lib', 'vscode');
  const mustExist = [
    join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    join(vscodeDir, 'node_modules'),
    join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
    join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
    join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
    join(vscodeDir, 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'),
    join(vscodeDir, 'node_modules', 'native-watchdog', 'build', 'Release', 'watchdog.node'),
    join(HOST_DIR, 'node_modules', 'playwright-core', 'package.json'),
  ];
  const absent = mustExist.filter((p) => !existsSync(p));
  if (absent.length)
    fail(`install incomplete (code-server postinstall did not run fully?); missing:\n  ${absent.join('\n  ')}`);
  const v = spawnSync(
    process.execPath,
    [join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), '--version'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        HOME: tmp,
        XDG_CONFIG_HOME: join(tmp, 'xdg-config'),
        XDG_DATA_HOME: join(tmp, 'xdg-data'),
      },
      timeout: 60_000,
    },
  );
  if (v.status !== 0) fail(`code-server --version failed: ${v.stderr}`);
  log(`code-server --version: ${v.stdout.trim().split('\n').join(' ')}`);
  rmSync(tmp, { recursive: true, force: true });

  const finalLock = existsSync(LOCKFILE)
    ? createHash('sha256').update(readFileSync(LOCKFILE)).digest('hex').slice(0, 16)
    : null;
  writeFileSync(
    MARKER,
    JSON.stringify({ ...wanted, lock: finalLock, installedAt: new Date().toISOString(), timings }, null, 2) + '\n',
  );
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${HOST_DIR}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
