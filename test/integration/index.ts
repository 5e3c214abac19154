// Entry point the extension host loads for `--extensionTestsPath` (VS Code's test API): runs every
// dist/test/integration/**/*.test.js with mocha inside the real extension host and writes a result
// summary that scripts/test.mjs reads (mocha's own output only reaches the browser console there).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  ms?: number;
}

function findTests(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findTests(p, out);
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.EI_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of findTests(__dirname)) mocha.addFile(f);
  const records: TestRecord[] = [];
  const resultsFile = process.env.EI_TEST_RESULTS || path.join(__dirname, 'results.json');
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      fs.writeFileSync(resultsFile, JSON.stringify({ records }, null, 1));
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => records.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
    runner.on('fail', (t, err) =>
      records.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack || err) }),
    );
  });
}
