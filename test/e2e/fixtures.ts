/**
 * What the end-to-end run needs besides the browser: the packaged extension, a scratch copy of the
 * sample workspace with a malformed dataset added, the sample's metadata (the truth for image
 * names and N), and the CLI's census (the truth for the sidebar's counts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (this file runs from dist/test/e2e/). */
export const root = path.resolve(__dirname, '..', '..', '..');
export const vsixPath = path.join(root, 'dist-vsix', 'embedding-inspector.vsix');
export const sampleDir = path.join(root, 'samples', 'mnist');

/** Newest modification time under `p` (files only), 0 when missing. */
function newest(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of fs.readdirSync(p)) t = Math.max(t, newest(path.join(p, e)));
  return t;
}

/** True when `file` ends with a zip end-of-central-directory record (a .vsix written completely). */
function completeZip(file: string): boolean {
  const buf = fs.readFileSync(file);
  const tail = buf.subarray(Math.max(0, buf.length - 65_557));
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === 0x06054b50) return true;
  return false;
}

/**
 * A private, complete copy (at `dest`) of the packaged extension, packaged first when the .vsix is
 * missing or older than its sources (`npm test` packages it just before; a lone run must not test a
 * stale build). In a checkout shared with others someone may be packaging at the same moment: a
 * failed package or a half-written file is retried a few times.
 */
export async function privateVsix(dest: string, log: (m: string) => void): Promise<string> {
  let badAt = -1; // mtime of a .vsix found incomplete: still so after a wait means it was left broken
  for (let attempt = 1; ; attempt++) {
    try {
      const built = fs.existsSync(vsixPath) ? fs.statSync(vsixPath).mtimeMs : 0;
      const sources = Math.max(...['src', 'webview', 'media', 'package.json'].map((p) => newest(path.join(root, p))));
      if (built <= sources || built === badAt) {
        log(
          built === badAt
            ? 'the .vsix was left incomplete: packaging again'
            : built
              ? 'the .vsix is older than the sources: packaging again'
              : 'no .vsix yet: packaging',
        );
        const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
        if (r.status !== 0 || !fs.existsSync(vsixPath)) throw new Error(`npm run package failed (exit ${r.status})`);
      }
      const copied = fs.statSync(vsixPath).mtimeMs;
      fs.copyFileSync(vsixPath, dest);
      if (!completeZip(dest)) {
        badAt = copied;
        throw new Error(`${vsixPath} is not a complete zip (being written?)`);
      }
      return dest;
    } catch (e) {
      if (attempt >= 3) throw e;
      log(`${(e as Error).message}; retrying in 5 s`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
}

/** The CLI bundle, built when missing. */
export function ensureCli(): string {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0 || !fs.existsSync(cli)) throw new Error('building dist/cli.js failed');
  }
  return cli;
}

/**
 * Writes a .npy file (format 1.0) the way NumPy does: magic, version, a little-endian uint16 header
 * length, the header dict padded with spaces and ending in '\n' so the data starts on a 64-byte
 * boundary, then the raw little-endian data.
 */
export function writeNpy(file: string, descr: string, shape: number[], data: Uint8Array): void {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(data)]));
}

/**
 * The PyTorch log dir (test/fixtures/workspace/runs, written by scripts/fixtures/makePytorchLogdir.py)
 * copied into the workspace: its tags, the tag opened, its samples and steps, and the float32 images
 * add_embedding got (N x 3 x H x W), the truth for the sprite cell on screen.
 */
export const LOGDIR = {
  folder: 'runs',
  tags: ['embeddings', 'features/val'],
  tag: 'embeddings',
  n: 40,
  steps: ['step 0', 'step 10'],
};

/** label_img.npy as the fixture script saved it (float32, C order, 1.0 header). */
export function logdirImages(): { n: number; h: number; w: number; values: Float32Array } {
  const b = fs.readFileSync(path.join(root, 'test', 'fixtures', 'data', 'pytorch_logdir', 'label_img.npy'));
  const headerLen = b.readUInt16LE(8),
    header = b.toString('latin1', 10, 10 + headerLen);
  const m = /'descr': '<f4'.*'shape': \((\d+), 3, (\d+), (\d+)\)/.exec(header);
  if (!m) throw new Error(`label_img.npy: unexpected header ${header}`);
  const data = b.subarray(10 + headerLen);
  return {
    n: Number(m[1]),
    h: Number(m[2]),
    w: Number(m[3]),
    values: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

/** The malformed dataset's facts the test checks the error against. */
export const BROKEN = { folder: 'broken', file: 'embeddings.npy', n: 64, dim: 8, presentRows: 10 };

/**
 * EI_E2E_RENDERER=webgpu: the run as a user with WebGPU sees it — Chromium gets the flags under which it has a
 * working WebGPU adapter (scripts/chromium.json's webgpuArgs, and not --disable-gpu), the workspace sets
 * embeddingInspector.projection.renderer to webgpu (the adapter is a software one, which 'auto' declines), and the
 * first step expects the points drawn with WebGPU. Not part of `npm test` (a second whole run); by hand:
 * EI_E2E_RENDERER=webgpu node scripts/test.mjs --only e2e.
 */
export const E2E_RENDERER = process.env.EI_E2E_RENDERER === 'webgpu' ? 'webgpu' : 'webgl2';

/**
 * A scratch workspace: a copy of samples/mnist (never the repository itself), the PyTorch log dir
 * `runs/`, and `broken/`, whose
 * embeddings.npy announces 64 x 8 float32 in its header but holds only 10 rows (a truncated write),
 * next to a valid labels.npy, so discovery offers it and loading must fail naming the file.
 */
export function makeWorkspace(): string {
  if (!fs.existsSync(path.join(sampleDir, 'metadata.tsv')))
    throw new Error(`the sample is missing: ${sampleDir}/metadata.tsv (generate samples/mnist first)`);
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'ei-e2e-ws-'));
  fs.cpSync(sampleDir, ws, { recursive: true });
  fs.cpSync(path.join(root, 'test', 'fixtures', 'workspace', LOGDIR.folder), path.join(ws, LOGDIR.folder), {
    recursive: true,
  });
  const dir = path.join(ws, BROKEN.folder);
  fs.mkdirSync(dir);
  const rows = new Float32Array(BROKEN.presentRows * BROKEN.dim).map((_, i) => Math.sin(i));
  writeNpy(path.join(dir, BROKEN.file), '<f4', [BROKEN.n, BROKEN.dim], new Uint8Array(rows.buffer));
  const labels = new BigInt64Array(BROKEN.n).map((_, i) => BigInt(i % 4));
  writeNpy(path.join(dir, 'labels.npy'), '<i8', [BROKEN.n], new Uint8Array(labels.buffer));
  return ws;
}

/** The sample's metadata.tsv: one entry per sample, in order, with its image path (relative). */
export function readSampleImages(ws: string): string[] {
  return readSampleColumn(ws, 'image');
}

/** One column of the sample's metadata.tsv (header row, tab-separated), one value per sample. */
export function readSampleColumn(ws: string, name: string): string[] {
  const lines = fs
    .readFileSync(path.join(ws, 'metadata.tsv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const col = header.indexOf(name);
  if (col < 0) throw new Error(`metadata.tsv has no '${name}' column (header: ${header.join(', ')})`);
  return lines.slice(1).map((l) => l.split('\t')[col]);
}

/**
 * What "Inspect Embeddings" opens for the sample: its manifest when there is one, else the last
 * file of the numbered series (discovery's candidate for a series).
 */
export function sampleTarget(ws: string): string {
  const manifest = path.join(ws, 'embeddings.json');
  if (fs.existsSync(manifest)) return manifest;
  const series = fs
    .readdirSync(ws)
    .filter((f) => /^embeddings.*\d+\.npy$/.test(f))
    .sort((a, b) => Number(/(\d+)\.npy$/.exec(a)![1]) - Number(/(\d+)\.npy$/.exec(b)![1]));
  if (!series.length) throw new Error(`no embeddings_*.npy in ${ws}`);
  return path.join(ws, series[series.length - 1]);
}

/** The extension's default analysis settings, read from package.json (what the CLI must be given). */
export function defaultSettings(): { margin: number; distance: string; normalize: boolean; convention: string } {
  const props = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).contributes.configuration
    .properties;
  return {
    margin: props['embeddingInspector.margin'].default,
    distance: props['embeddingInspector.distance'].default,
    normalize: props['embeddingInspector.normalize'].default,
    convention: props['embeddingInspector.convention'].default,
  };
}

/** The CLI's census (`--json`) for a dataset at one margin with the extension's default settings. */
/** The CLI's exact k nearest neighbours of every sample (the sample itself left out), under the default settings. */
export function cliKnn(
  target: string,
  k: number,
  snapshot: number | undefined,
): { indices: number[][]; distances: number[][] } {
  const s = defaultSettings();
  const args = [
    ensureCli(),
    'knn',
    target,
    '--k',
    String(k),
    '--distance',
    s.distance,
    ...(s.normalize ? ['--normalize'] : []),
    ...(snapshot !== undefined ? ['--snapshot', String(snapshot)] : []),
  ];
  const r = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 2 ** 20,
  });
  if (r.status !== 0) throw new Error(`CLI knn failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function cliCensus(
  target: string,
  margin: number,
  snapshot: number | undefined,
): { n: number; violating: number; triplets: number; margin: number } {
  const s = defaultSettings();
  const args = [
    ensureCli(),
    'census',
    target,
    '--margin',
    String(margin),
    '--distance',
    s.distance,
    '--convention',
    s.convention,
    '--json',
    '--top',
    '0',
    ...(s.normalize ? ['--normalize'] : []),
    ...(snapshot !== undefined ? ['--snapshot', String(snapshot)] : []),
  ];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`CLI census failed (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}
