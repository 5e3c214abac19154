// `npm start`: builds the extension and opens the bundled MNIST sample with it — in desktop VS Code
// when `code` is on the PATH, otherwise in code-server on 127.0.0.1 (installed on demand into
// .vscode-test/), printing the URL to open. Ctrl-C stops everything it started.
//   EI_PORT=8080 npm start      fixed port (default: 8080, or a free one if taken)
//   npm start -- <folder>       open another folder instead of the sample
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, startCodeServer } from './codeServer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const folder = path.resolve(process.argv[2] ?? path.join(root, 'samples', 'mnist'));
if (!fs.existsSync(folder)) {
  console.error(`npm start: ${folder} does not exist`);
  process.exit(2);
}

const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const hasCode = !process.env.EI_FORCE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
if (hasCode) {
  console.log(`Opening ${folder} in VS Code with the extension loaded from ${root}…`);
  const r = spawnSync('code', ['--new-window', `--extensionDevelopmentPath=${root}`, folder], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-start-'));
// Install the built extension into code-server's extensions folder (what a .vsix install unpacks).
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extDir = path.join(home, 'extensions', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
fs.mkdirSync(extDir, { recursive: true });
for (const f of ['package.json', 'README.md', 'dist', 'media']) {
  const src = path.join(root, f);
  if (fs.existsSync(src))
    fs.cpSync(src, path.join(extDir, f), {
      recursive: true,
      filter: (p) => !p.includes(`${path.sep}test${path.sep}`) && !p.endsWith('.map'),
    });
}
const wanted = Number(process.env.EI_PORT || 8080);
const port = (await portFree(wanted)) ? wanted : await freePort();
const server = await startCodeServer({
  home,
  port,
  quiet: true,
  settings: { 'workbench.colorTheme': 'Default Dark Modern' },
});
const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;
console.log(
  `\nEmbedding Inspector is running in code-server (VS Code ${'1.139'}):\n\n  ${url}\n\nOpen it in a browser, then run “Embeddings: Inspect Embeddings” from the command palette (F1).\nCtrl-C stops the server.`,
);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.stop();
  fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 });
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
server.child.on('exit', (code) => {
  if (!stopping) {
    console.error(`code-server exited (${code})`);
    fs.rmSync(home, { recursive: true, force: true });
    process.exit(1);
  }
});
// Keep the process alive until Ctrl-C.
setInterval(() => {}, 1 << 30);
