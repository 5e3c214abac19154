/**
 * loadDatasetInWorker with the real bundled worker (dist/loadWorker.js): the same Dataset as
 * loadDataset in process (embeddings and labels arrive in shared memory, the samples' sources as a
 * SampleSources around transferred buffers), and the same errors as
 * their own classes with their fields: an InputError naming the file, an AmbiguousChoiceError
 * with its choices (the UI asks, then loads again with the choice).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AmbiguousChoiceError, InputError, loadDataset } from '../../../src/data/index';
import { SampleSources } from '../../../src/shared/sampleSources';
import { loadDatasetInWorker } from '../../../src/worker/loadClient';
import { fixture } from '../data/fixtures';

const script = path.resolve(__dirname, '../../../loadWorker.js');

describe('worker: loadDatasetInWorker (datasets read off the host thread)', function () {
  this.timeout(30_000);
  before(() => assert.ok(fs.existsSync(script), `build first: ${script}`));

  it('gives the dataset loadDataset gives, its embeddings and labels in shared memory, its sources compact', async () => {
    for (const target of ['npz/stored.npz', 'projector', 'manifest']) {
      const root = fixture(target.split('/')[0]);
      const want = await loadDataset(fixture(target), { workspaceRoots: [root] });
      const got = await loadDatasetInWorker(fixture(target), { workspaceRoots: [root] }, script);
      assert.ok(
        got.embeddings.buffer instanceof SharedArrayBuffer && got.labels.buffer instanceof SharedArrayBuffer,
        'shared, not copied',
      );
      if (want.sources) {
        assert.ok(got.sources instanceof SampleSources, `${target}: the sources as their class again`);
        assert.deepEqual(got.sources.toArray(), want.sources.toArray(), target);
      }
      assert.deepEqual(
        { ...got, embeddings: Array.from(got.embeddings), labels: Array.from(got.labels) },
        { ...want, embeddings: Array.from(want.embeddings), labels: Array.from(want.labels) },
        target,
      );
    }
  });

  it('rebuilds an AmbiguousChoiceError with its choices, then loads the one chosen', async () => {
    const file = fixture('npz/ambiguous.npz');
    const err = await loadDatasetInWorker(file, {}, script).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AmbiguousChoiceError, `an AmbiguousChoiceError, got ${err}`);
    assert.deepEqual([err.key, err.file, err.options], ['embeddingsKey', file, ['train', 'test']]);
    const d = await loadDatasetInWorker(file, { embeddingsKey: 'train', labelsKey: 'y' }, script);
    assert.deepEqual([d.n, d.dim, d.classNames], [6, 4, ['0', '1', '2']]);
  });

  it('rebuilds an InputError naming the file and the problem', async () => {
    const file = fixture('bad/truncated.npy');
    const want = await loadDataset(file).then(
      () => undefined,
      (e: unknown) => e as InputError,
    );
    const err = await loadDatasetInWorker(file, {}, script).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof InputError, `an InputError, got ${err}`);
    assert.deepEqual([err.file, err.problem, err.message], [want!.file, want!.problem, want!.message]);
  });
});
