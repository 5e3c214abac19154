/**
 * TensorBoard projector folders: `projector_config.pbtxt` (text protobuf naming each embedding's
 * `tensor_path` and `metadata_path`), `tensors.tsv` and `metadata.tsv` (one column without a
 * header, or a header row with several columns — TensorBoard's own rule), and each embedding's
 * sprite (`sprite.ts`). An embedding with a `tensor_name` and no `tensor_path` is read from the
 * TensorFlow checkpoint in the folder. PyTorch's log dirs (one entry per add_embedding call) are
 * grouped into series in `logdir.ts`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MAX_ROWS } from './arrays';
import type { Boundary } from './boundary';
import { fail } from './errors';
import { exists, readChecked } from './files';
import { DelimitedReader } from './text';

/** One `embeddings { … }` entry of a projector config. */
export interface ProjectorEmbedding {
  tensorName: string;
  tensorPath?: string;
  metadataPath?: string;
  /** `sprite { image_path single_image_dim: W single_image_dim: H }` (paths relative to the config). */
  sprite?: { imagePath: string; singleImageDim: number[] };
  tensorShape?: number[];
}

type PbValue = string | number | boolean | PbMessage;
interface PbMessage {
  [field: string]: PbValue[];
}

/** Tokens of the protobuf text format: names, strings, numbers and punctuation. */
function tokenize(text: string, file: string): string[] {
  const out: string[] = [];
  const re =
    /\s+|#[^\n]*|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|([A-Za-z_][\w.]*|[-+]?[\d.][\w.+-]*)|([{}:<>;,[\]])|(.)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m[0] !== '') {
    if (m[4] !== undefined) fail(file, `bad projector config: unexpected '${m[4]}'`);
    const tok = m[1] ?? m[2] ?? m[3];
    if (tok !== undefined) out.push(tok);
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

function unquote(s: string): string {
  return s
    .slice(1, -1)
    .replace(/\\(["'\\nt])/g, (_, c: string) => (({ n: '\n', t: '\t' }) as Record<string, string>)[c] ?? c);
}

/** Parses protobuf text format into nested messages (every field a list: fields may repeat). */
export function parsePbtxt(text: string, file: string): PbMessage {
  const toks = tokenize(text, file);
  let i = 0;
  const message = (close?: string): PbMessage => {
    const msg: PbMessage = {};
    for (;;) {
      if (i >= toks.length) {
        if (close) fail(file, `bad projector config: missing '${close}'`);
        return msg;
      }
      const name = toks[i++];
      if (name === close) return msg;
      if (!/^[A-Za-z_]/.test(name)) fail(file, `bad projector config: expected a field name, found '${name}'`);
      if (toks[i] === ':') i++;
      const t = toks[i++];
      let v: PbValue;
      if (t === '{' || t === '<') v = message(t === '{' ? '}' : '>');
      else if (t === undefined) fail(file, `bad projector config: field '${name}' has no value`);
      else if (t[0] === '"' || t[0] === "'") v = unquote(t);
      else if (t === 'true' || t === 'false') v = t === 'true';
      else if (/^[-+]?[\d.]/.test(t)) v = Number(t);
      else v = t; // enum value
      (msg[name] ??= []).push(v);
      if (toks[i] === ';' || toks[i] === ',') i++;
    }
  };
  return message();
}

/** The `embeddings` entries of a projector_config.pbtxt. */
export function parseProjectorConfig(text: string, file: string): ProjectorEmbedding[] {
  const root = parsePbtxt(text, file);
  const list = (root.embeddings ?? []).filter((e): e is PbMessage => typeof e === 'object');
  if (list.length === 0) fail(file, 'projector config names no embeddings');
  return list.map((e, k) => {
    const str = (f: string): string | undefined => (typeof e[f]?.[0] === 'string' ? (e[f][0] as string) : undefined);
    const shape = (e.tensor_shape ?? []).filter((x): x is number => typeof x === 'number');
    const sprite = e.sprite?.[0];
    const spritePath =
      typeof sprite === 'object' && typeof sprite.image_path?.[0] === 'string' ? sprite.image_path[0] : undefined;
    const cell =
      typeof sprite === 'object'
        ? (sprite.single_image_dim ?? []).filter((x): x is number => typeof x === 'number')
        : [];
    return {
      tensorName: str('tensor_name') ?? `embedding ${k + 1}`,
      tensorPath: str('tensor_path'),
      metadataPath: str('metadata_path'),
      ...(spritePath ? { sprite: { imagePath: spritePath, singleImageDim: cell } } : {}),
      tensorShape: shape.length > 0 ? shape : undefined,
    };
  });
}

/**
 * Parses metadata.tsv into columns. One column: no header, the column is called `label`
 * (unless the file has exactly one line more than `expectedRows` and starts with `labelColumn`,
 * the common hand-written variant). Several columns: the first row is the header.
 */
export function parseMetadataTsv(
  bytes: Uint8Array,
  file: string,
  expectedRows?: number,
  labelColumn = 'label',
): Record<string, string[]> {
  if (bytes.length === 0) fail(file, 'empty file');
  const r = new DelimitedReader(bytes, 9, file);
  const rows: string[][] = [];
  while (r.next()) {
    if (rows.length >= MAX_ROWS) fail(file, `more than ${MAX_ROWS} rows`);
    rows.push(Array.from({ length: r.count }, (_, i) => r.text(i)));
  }
  if (rows.length === 0) fail(file, 'empty file: no metadata');
  const width = rows[0].length;
  let header: string[];
  let body: string[][];
  if (width === 1) {
    const hasHeader =
      expectedRows !== undefined && rows.length === expectedRows + 1 && rows[0][0].trim() === labelColumn;
    header = [labelColumn];
    body = hasHeader ? rows.slice(1) : rows;
  } else {
    header = rows[0].map((h) => h.trim());
    body = rows.slice(1);
  }
  const columns: Record<string, string[]> = {};
  header.forEach((h) => (columns[h] = []));
  body.forEach((row, k) => {
    if (row.length !== width)
      fail(file, `line ${k + (width === 1 ? 1 : 2)} has ${row.length} values, expected ${width}`);
    row.forEach((v, j) => columns[header[j]].push(v));
  });
  return columns;
}

/** `model_checkpoint_path` at the top of a projector config (TF1 / some TF2 writers set it). */
export function projectorCheckpointPath(text: string, file: string): string | undefined {
  const v = parsePbtxt(text, file).model_checkpoint_path?.[0];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The checkpoint holding an embedding that has a `tensor_name` and no `tensor_path` (TensorBoard's
 * TF2 tutorial: `tf.train.Checkpoint(embedding=…).save(…)`). Returns the prefix (path without
 * `.index`): `model_checkpoint_path` of the config, else that of the folder's `checkpoint` file,
 * else the folder's only `*.index`. A path written on another machine (absolute, missing) is
 * also looked for by its file name in the folder. Paths outside `boundary` are not looked at.
 */
export async function findCheckpointPrefix(
  dir: string,
  configured: string | undefined,
  configFile: string,
  tensorName: string,
  boundary?: Boundary,
): Promise<string> {
  const candidates = (p: string): string[] => [path.resolve(dir, p), path.join(dir, path.basename(p))];
  const tried: string[] = [];
  const firstExisting = async (p: string): Promise<string | undefined> => {
    for (const c of candidates(p)) {
      if (boundary && (await boundary.refusal(`${c}.index`)) !== undefined) continue;
      tried.push(c);
      if (await exists(`${c}.index`)) return c;
    }
    return undefined;
  };
  if (configured !== undefined) {
    const found = await firstExisting(configured);
    if (found) return found;
  }
  const stateFile = path.join(dir, 'checkpoint');
  if ((await exists(stateFile)) && !(boundary && (await boundary.refusal(stateFile)) !== undefined)) {
    const text = Buffer.from(await readChecked(stateFile, 1024 * 1024)).toString('utf8');
    const v = parsePbtxt(text, stateFile).model_checkpoint_path?.[0];
    if (typeof v === 'string' && v !== '') {
      const found = await firstExisting(v);
      if (found) return found;
    }
  }
  let names: string[] = [];
  try {
    names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.index'));
  } catch {
    fail(dir, 'cannot list the folder to find the checkpoint');
  }
  if (names.length === 1) return path.join(dir, names[0].slice(0, -'.index'.length));
  const where =
    tried.length > 0 ? ` (looked for ${[...new Set(tried)].map((t) => `${path.basename(t)}.index`).join(', ')})` : '';
  if (names.length > 1) {
    fail(
      configFile,
      `embedding '${tensorName}' has no tensor_path and several checkpoints are in the folder (${names.join(', ')})${where}; set model_checkpoint_path in the projector config or the 'checkpoint' file`,
    );
  }
  fail(
    configFile,
    `embedding '${tensorName}' has no tensor_path and no TensorFlow checkpoint (.index + .data files) was found beside the config${where}; export it to tensors.tsv (or .npy) and set tensor_path, or put the checkpoint here`,
  );
}
