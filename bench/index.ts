/**
 * `npm run bench`: runs every benchmark module in sequence. The list is static; a module whose
 * build output (dist/bench/<name>.js) does not exist yet is skipped, so the bench runs while the
 * tree grows. Each module exports `run(): Promise<void>` and prints its own table; speed is
 * reported as ratios against baselines measured in the same run.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const BENCHES = [
  'census',
  'scale',
  'distances',
  'loaders',
  'knn',
  'nnDescent',
  'passKnn',
  'projection',
  'diff',
] as const;

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  for (const name of BENCHES) {
    if (only.length && !only.includes(name)) continue;
    const file = path.join(__dirname, `${name}.js`);
    if (!fs.existsSync(file)) {
      console.log(`\n(skipping ${name}: ${path.relative(process.cwd(), file)} not built)`);
      continue;
    }
    // Resolved at run time on purpose (createRequire keeps esbuild from bundling it): a static
    // import would fail the bundle while a module is missing.
    const mod = createRequire(__filename)(`./${name}.js`) as { run?: () => Promise<void> };
    if (typeof mod.run !== 'function') {
      console.log(`\n(skipping ${name}: no exported run())`);
      continue;
    }
    const t0 = Date.now();
    await mod.run();
    console.log(`(${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
