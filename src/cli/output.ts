/**
 * Files the CLI writes (`knn --out`, `project --out`): checked before the work starts — the folder
 * exists, the path is not a folder, and it is none of the files the dataset was read from (after
 * resolving symlinks), so an output never overwrites an input — and written with every failure
 * turned into an InputError sentence naming the path (exit code 2), never a raw errno.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { Dataset } from '../shared/dataset';
import { InputError } from '../shared/dataset';

/** Every file a dataset was read from (embeddings, labels, metadata, manifest, snapshots). */
export function datasetInputs(d: Dataset): string[] {
  const files = Object.values(d.files).filter((f): f is string => typeof f === 'string');
  return [...files, ...(d.snapshots ?? []).map((s) => s.path)];
}

/** The real path of a file that may not exist yet: its folder's real path plus its name. */
async function realTarget(p: string): Promise<string> {
  try {
    return await fsp.realpath(p);
  } catch {
    try {
      return path.join(await fsp.realpath(path.dirname(p)), path.basename(p));
    } catch {
      return path.resolve(p);
    }
  }
}

/**
 * Refuses an output path before any work: its folder must exist, it must not be a folder, and
 * it must not be one of `inputs` or another output. `flag` names the option in messages.
 */
export async function checkOutputs(outputs: { flag: string; file: string }[], inputs: string[]): Promise<void> {
  const realInputs = new Map<string, string>();
  for (const f of inputs) realInputs.set(await realTarget(f), f);
  const taken = new Map<string, string>();
  for (const { flag, file } of outputs) {
    const dir = path.dirname(file);
    const dirStat = await fsp.stat(dir).catch(() => undefined);
    if (!dirStat) throw new InputError(file, `cannot write ${flag}: the folder ${dir} does not exist`);
    if (!dirStat.isDirectory()) throw new InputError(file, `cannot write ${flag}: ${dir} is not a folder`);
    if ((await fsp.stat(file).catch(() => undefined))?.isDirectory())
      throw new InputError(
        file,
        `cannot write ${flag}: it is a folder; give a file name, like ${path.join(file, 'out.npy')}`,
      );
    const real = await realTarget(file);
    const input = realInputs.get(real);
    if (input !== undefined)
      throw new InputError(
        file,
        `refusing to write ${flag} over ${input}, a file of the dataset being read; choose another file name`,
      );
    const other = taken.get(real);
    if (other !== undefined)
      throw new InputError(file, `${flag} and ${other} name the same file; choose two file names`);
    taken.set(real, flag);
  }
}

/** A sentence for a failed write, by errno. */
function writeProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
      return 'a part of its path is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder; give a file name';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    default:
      return `the system refused (${code ?? (err as Error)?.message ?? String(err)})`;
  }
}

/** Writes `bytes` to `file` (replacing it); a failure is an InputError naming the file and why. */
export async function writeOutput(file: string, bytes: Uint8Array, flag: string): Promise<void> {
  try {
    await fsp.writeFile(file, bytes);
  } catch (err) {
    throw new InputError(file, `cannot write ${flag}: ${writeProblem(err)}`);
  }
}
