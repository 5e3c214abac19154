import * as assert from './assert';
import { banner, type BannerInput } from '../../../webview/projection/statusBanner';

const base: BannerInput = {
  host: { state: 'ready', message: '' },
  glError: '',
  incoming: undefined,
  hasLayout: false,
  layoutCaption: '',
  hasDataset: false,
};

describe('projection status banner', () => {
  it('before the layout always says something: waiting for data, then computing the layout', () => {
    assert.deepEqual(banner(base), { state: 'loading', message: 'Waiting for data…', hidden: false });
    assert.deepEqual(banner({ ...base, hasDataset: true }), {
      state: 'computing',
      message: 'Computing the layout…',
      hidden: false,
    });
    assert.deepEqual(banner({ ...base, hasDataset: true, layoutCaption: 'UMAP 40 %' }), {
      state: 'computing',
      message: 'Computing the layout… UMAP 40 %',
      hidden: false,
    });
    // The host's own message while it works stands.
    const host = { state: 'computing', message: 'Computing euclidean distances…' };
    assert.deepEqual(banner({ ...base, hasDataset: true, host }), { ...host, hidden: false });
  });

  it('shows a layout arriving in chunks by its share, and a WebGL error above everything', () => {
    assert.deepEqual(banner({ ...base, hasDataset: true, incoming: 0.257 }), {
      state: 'loading',
      message: 'Loading points 25 %',
      hidden: false,
    });
    assert.deepEqual(banner({ ...base, hasLayout: true, incoming: 0.5, glError: 'WebGL2 is not available' }), {
      state: 'error',
      message: 'WebGL2 is not available',
      hidden: false,
    });
  });

  it('after the layout shows only what needs attention', () => {
    const shown = { ...base, hasDataset: true, hasLayout: true };
    assert.equal(banner(shown).hidden, true);
    assert.equal(banner({ ...shown, host: { state: 'ready', message: 'Census ready' } }).hidden, true);
    assert.equal(banner({ ...shown, host: { state: 'computing', message: '' } }).hidden, true);
    for (const state of ['loading', 'computing', 'error'])
      assert.deepEqual(banner({ ...shown, host: { state, message: 'x' } }), { state, message: 'x', hidden: false });
  });
});
