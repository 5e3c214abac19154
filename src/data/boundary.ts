/**
 * The folders a dataset may read from. Paths written inside a dataset — a manifest's files, a
 * projector config's tensor, metadata and sprite paths, sample paths — must lie inside the folder
 * holding the manifest or config, or inside a workspace folder, after following symlinks; a path
 * that leads out (`../`, an absolute path, a symlink) is refused before anything is opened.
 */
import * as fs from 'fs';
import * as path from 'path';
import { fail } from './errors';

/** True when `child` is `root` or lies below it (both absolute, already normalised). */
export function isInside(child: string, root: string): boolean {
  const rel = path.relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** The real path (symlinks followed), or undefined when the path does not exist. */
export async function realpathOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.promises.realpath(p);
  } catch {
    return undefined;
  }
}

/** A set of folders that paths must stay in, with their real paths resolved once. */
export class Boundary {
  private constructor(
    /** The folders as given (absolute, normalised); the first is the dataset's own folder. */
    readonly roots: string[],
    private readonly realRoots: string[],
    private readonly label?: string,
  ) {}

  /**
   * The boundary made of `roots` (duplicates dropped); each is also taken by its real path.
   * `label` names it in messages (default: "the folder <first root>[ and the workspace folders]").
   */
  static async of(roots: string[], label?: string): Promise<Boundary> {
    const abs = [...new Set(roots.map((r) => path.resolve(r)))];
    const real = await Promise.all(abs.map(async (r) => (await realpathOrUndefined(r)) ?? r));
    return new Boundary(abs, real, label);
  }

  /** Before following symlinks: inside a root as written, or inside a root's real path. */
  containsLexically(abs: string): boolean {
    return this.roots.some((r) => isInside(abs, r)) || this.realRoots.some((r) => isInside(abs, r));
  }

  /** After following symlinks (`real` from realpath): inside a root's real path. */
  containsReal(real: string): boolean {
    return this.realRoots.some((r) => isInside(real, r));
  }

  /**
   * Why `abs` may not be read ("is outside …" / "leads through a symbolic link to …, outside …"),
   * or undefined when it may: outside as written, or through a symlink (the file's or a folder's
   * on its way) that leads out. A path that does not exist yet passes here; the reader then says
   * it is missing.
   */
  async refusal(abs: string): Promise<string | undefined> {
    if (!this.containsLexically(abs)) return `is outside ${this.describe()}`;
    const real = await realpathOrUndefined(abs);
    if (real !== undefined && !this.containsReal(real))
      return `leads through a symbolic link to ${real}, outside ${this.describe()}`;
    return undefined;
  }

  /** Throws an InputError naming `file` (the manifest or config) and `field` when `abs` is refused. */
  async check(file: string, field: string, abs: string): Promise<void> {
    const why = await this.refusal(abs);
    if (why !== undefined) fail(file, `'${field}' names ${abs}, which ${why}: it is not read`);
  }

  /** "the folder /a" or "the folder /a and the workspace folders", or the label given. */
  describe(): string {
    return this.label ?? `the folder ${this.roots[0]}${this.roots.length > 1 ? ' and the workspace folders' : ''}`;
  }
}
