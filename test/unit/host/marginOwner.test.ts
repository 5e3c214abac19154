import * as assert from 'node:assert/strict';
import { MarginOwner } from '../../../src/host/marginOwner';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A settings store whose writes take `writeMs` and report each change, like VS Code's configuration. */
function fakeSettings(initial: number, writeMs: number) {
  const s = {
    margin: initial,
    writes: [] as number[],
    changes: [] as number[],
    onChange: (_m: number) => {},
    async write(m: number) {
      s.writes.push(m);
      await sleep(writeMs);
      s.margin = m;
      s.changes.push(m);
      s.onChange(m);
    },
  };
  return s;
}

describe('host/MarginOwner', () => {
  it('writes the last margin of a drag once, after the pause, and recognises it coming back', async () => {
    const settings = fakeSettings(0.2, 5);
    const owner = new MarginOwner(0.2, (m) => settings.write(m), 30);
    const followed: boolean[] = [];
    settings.onChange = (m) => followed.push(owner.fromSetting(m));
    for (let i = 1; i <= 20; i++) {
      owner.choose(0.2 + i / 100);
      await sleep(2);
    }
    assert.equal(owner.value, 0.4);
    assert.ok(owner.pending);
    await sleep(80);
    assert.deepEqual(settings.writes, [0.4], 'one write, of the last margin');
    assert.deepEqual(followed, [false], 'our own write is not taken for the user’s');
    assert.equal(owner.value, 0.4);
    assert.ok(!owner.pending);
  });

  it('ignores the setting while a newer margin is still to be written (it is behind), then follows the user', async () => {
    const settings = fakeSettings(0.2, 5);
    const owner = new MarginOwner(0.2, (m) => settings.write(m), 30);
    owner.choose(0.3);
    // Another setting changed meanwhile: the configuration still holds the old margin.
    assert.equal(owner.fromSetting(0.2), false, 'the old margin in the settings does not drag the margin back');
    assert.equal(owner.value, 0.3);
    await sleep(60);
    assert.deepEqual(settings.writes, [0.3]);
    // The user edits settings.json.
    assert.equal(owner.fromSetting(0.7), true, 'a margin the user set in the settings is followed');
    assert.equal(owner.value, 0.7);
    assert.equal(owner.fromSetting(0.7), false, 'the same value again is no change');
    await sleep(60);
    assert.deepEqual(settings.writes, [0.3], 'a margin that came from the settings is not written back');
  });

  it('while a write is under way the setting is behind as well', async () => {
    const settings = fakeSettings(0.2, 40);
    const owner = new MarginOwner(0.2, (m) => settings.write(m), 5);
    owner.choose(0.5);
    await sleep(20); // the write has started, not ended
    assert.deepEqual(settings.writes, [0.5]);
    assert.ok(owner.pending);
    assert.equal(owner.fromSetting(0.2), false);
    await sleep(60);
    assert.ok(!owner.pending);
    assert.equal(owner.value, 0.5);
  });

  it('dispose stops a write still to come', async () => {
    const settings = fakeSettings(0.2, 1);
    const owner = new MarginOwner(0.2, (m) => settings.write(m), 10);
    owner.choose(0.9);
    owner.dispose();
    await sleep(30);
    assert.deepEqual(settings.writes, []);
  });
});
