/**
 * SearchClient with the real bundled worker (dist/searchWorker.js): the same matches as the search
 * in process; a regular expression that backtracks for ever is stopped at the time limit with an
 * error saying so, and the next search works; a search overtaken before it started is dropped.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { searchSamples, type Searchable } from '../../../src/analysis/search';
import { StringColumn, toStringColumns } from '../../../src/shared/stringColumn';
import { SearchClient } from '../../../src/worker/searchClient';

const script = path.resolve(__dirname, '../../../searchWorker.js');

describe('worker: SearchClient (search in a worker with a time limit)', function () {
  this.timeout(30_000);
  const n = 5000;
  const samples: Searchable = {
    n,
    labels: Int32Array.from({ length: n }, (_, i) => i % 7),
    classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six'],
    metadata: { note: Array.from({ length: n }, (_, i) => (i === 4321 ? 'a'.repeat(40) + '!' : `row ${i}`)) },
    titles: Array.from({ length: n }, (_, i) => `img_${i}.png`),
  };
  let client: SearchClient;
  before(() => assert.ok(fs.existsSync(script), `build first: ${script}`));
  beforeEach(() => {
    client = new SearchClient(() => samples, script);
  });
  afterEach(() => client.dispose());

  it('finds what the search in process finds: substrings, regular expressions, bad ones reported', async () => {
    for (const q of ['three', 'IMG_12', '/^row 4\\d$/', '/^(one|six)$/', '/[/']) {
      assert.deepEqual(await client.search(q), searchSamples(q, samples), q);
    }
  });

  it('stops a regular expression that backtracks for ever at the limit, then searches again', async () => {
    const t0 = Date.now();
    const r = await client.search('/^(a+)+$/', 500);
    const ms = Date.now() - t0;
    assert.ok(
      r && 'error' in r && /took longer than/.test(r.error),
      `an error naming the time limit, got ${JSON.stringify(r)}`,
    );
    assert.ok(ms < 5_000, `stopped near the limit, took ${ms} ms`);
    assert.deepEqual(
      await client.search('five'),
      searchSamples('five', samples),
      'a fresh worker answers the next search',
    );
  });

  it('drops a search overtaken by a newer one before it started', async () => {
    const first = client.search('/^(a+)+$/', 300); // keeps the worker busy
    await new Promise((r) => setTimeout(r, 50)); // it has started
    const stale = client.search('one');
    const latest = client.search('two');
    assert.ok(await first, 'the running search answers');
    assert.equal(await stale, undefined, 'the overtaken search is dropped');
    assert.deepEqual(await latest, searchSamples('two', samples));
  });

  it('compact metadata columns (as loaded) find the same; the host keeps its columns', async () => {
    const metadata = toStringColumns({ ...samples.metadata, tag: Array.from({ length: n }, (_, i) => `猫 ${i % 13}`) });
    const compact = new SearchClient(() => ({ ...samples, metadata }), script);
    try {
      for (const q of ['/^row 4\\d$/', 'A'.repeat(40), '猫 12', 'three'])
        assert.deepEqual(
          await compact.search(q),
          searchSamples(q, { ...samples, metadata: { ...samples.metadata, tag: metadata.tag.toArray() } }),
          q,
        );
      for (const c of Object.values(metadata)) {
        assert.ok(c instanceof StringColumn);
        assert.ok(c.bytes.byteLength > 0 && c.start.length === n + 1, 'not detached');
      }
      assert.equal(metadata.note.at(4321), 'a'.repeat(40) + '!');
      assert.equal(metadata.tag.at(n - 1), `猫 ${(n - 1) % 13}`);
    } finally {
      compact.dispose();
    }
  });
});
