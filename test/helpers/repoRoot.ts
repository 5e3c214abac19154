import * as fs from 'fs';
import * as path from 'path';

/** The repository root, found upwards from a bundled test's own location (dist/test/…). */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}
