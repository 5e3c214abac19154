/**
 * The pickers: distance, normalise, convention, mining, NT-Xent temperature, and the snapshot
 * (epoch) choice. Each change posts an intent; the host writes the workspace setting and echoes a
 * new `state`, which is what the pickers then show (so settings.json edits appear here too).
 */
import type { AnalysisSettings, FromControls } from '../../src/shared/protocol';
import { h } from '../common/dom';

type SettingKey = Extract<FromControls, { type: 'setSetting' }>['key'];

function select(id: string, options: [string, string][]): HTMLSelectElement {
  return h('select', { id, 'data-testid': id }, ...options.map(([value, label]) => h('option', { value }, label)));
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('div', { class: 'hint' }, hint) : null,
  );
}

/** The settings form and the snapshot picker. */
export class SettingsPanel {
  readonly element: HTMLElement;
  /** The snapshot picker, shown (in the header) only when the dataset has several snapshots. */
  readonly snapshotField: HTMLElement;
  private readonly distance = select('setting-distance', [
    ['euclidean', 'euclidean ‖a−b‖'],
    ['sqeuclidean', 'squared euclidean ‖a−b‖²'],
    ['cosine', 'cosine 1 − cos'],
  ]);
  private readonly normalize = h('input', {
    type: 'checkbox',
    id: 'setting-normalize',
    'data-testid': 'setting-normalize',
  });
  private readonly convention = select('setting-convention', [
    ['pml', 'pml (easy t > m)'],
    ['facenet', 'facenet (easy t ≥ m)'],
  ]);
  private readonly mining = select('setting-mining', [
    ['batch-all', 'batch-all'],
    ['batch-hard', 'batch-hard'],
    ['semi-hard', 'semi-hard selection'],
  ]);
  private readonly temperature = h('input', {
    type: 'text',
    id: 'setting-temperature',
    'data-testid': 'setting-temperature',
    inputmode: 'decimal',
    spellcheck: 'false',
    autocomplete: 'off',
  });
  private readonly temperatureError = h('div', { class: 'input-error', role: 'alert', hidden: true });
  private readonly snapshot = select('setting-snapshot', []);
  /** "Follow latest snapshot": shown when the dataset is a numbered series the host can watch. */
  readonly followField: HTMLElement;
  /** "Compare with" another snapshot: the host diffs and colours the projection by the change. */
  readonly compareField: HTMLElement;
  private readonly compare = select('setting-compare', []);
  private readonly follow = h('input', { type: 'checkbox', id: 'setting-follow', 'data-testid': 'setting-follow' });

  constructor(private readonly post: (m: FromControls) => void) {
    this.element = h(
      'div',
      { class: 'settings' },
      field('Distance', this.distance),
      h(
        'div',
        { class: 'field checkbox' },
        this.normalize,
        h('label', { for: 'setting-normalize' }, 'L2-normalise embeddings first'),
      ),
      field('Convention', this.convention, 'where t = m falls: pml calls it semi-hard, facenet easy'),
      field('Mining view', this.mining),
      field('NT-Xent temperature τ', this.temperature),
      this.temperatureError,
    );
    this.snapshotField = h(
      'div',
      { class: 'field snapshot', hidden: true },
      h('label', { for: 'setting-snapshot' }, 'Snapshot'),
      this.snapshot,
    );

    const set = (key: SettingKey, value: string | number | boolean) => this.post({ type: 'setSetting', key, value });
    this.distance.addEventListener('change', () => set('distance', this.distance.value));
    this.normalize.addEventListener('change', () => set('normalize', this.normalize.checked));
    this.convention.addEventListener('change', () => set('convention', this.convention.value));
    this.mining.addEventListener('change', () => set('mining', this.mining.value));
    this.temperature.addEventListener('change', () => {
      const v = Number(this.temperature.value.trim());
      const ok = this.temperature.value.trim() !== '' && Number.isFinite(v) && v > 0;
      this.temperatureError.hidden = ok;
      this.temperatureError.textContent = ok ? '' : 'The temperature must be a number > 0 (PML default 0.07).';
      this.temperature.classList.toggle('invalid', !ok);
      if (ok) set('temperature', v);
    });
    this.snapshot.addEventListener('change', () =>
      this.post({ type: 'setSnapshot', index: Number(this.snapshot.value) }),
    );
    this.followField = h(
      'div',
      {
        class: 'field checkbox follow',
        hidden: true,
        title: 'Switch to each new snapshot file as soon as training has written it completely',
      },
      this.follow,
      h('label', { for: 'setting-follow' }, 'Follow latest snapshot'),
    );
    this.follow.addEventListener('change', () => this.post({ type: 'setFollow', on: this.follow.checked }));
    this.compareField = h(
      'div',
      { class: 'field snapshot', hidden: true },
      h('label', { for: 'setting-compare' }, 'Compare with'),
      this.compare,
    );
    this.compare.addEventListener('change', () =>
      this.post({ type: 'compareWith', index: Number(this.compare.value) }),
    );
  }

  /** Shows the host's follow state; hidden when the open dataset cannot be followed. */
  showFollow(on: boolean, available: boolean, reason: string): void {
    this.followField.hidden = !available && !on;
    this.follow.checked = on;
    this.follow.disabled = !available;
    this.followField.title = available
      ? 'Switch to each new snapshot file as soon as training has written it completely'
      : reason;
  }

  /** Shows the host's settings (the truth), leaving a field alone while the user is typing in it. */
  show(s: AnalysisSettings): void {
    this.distance.value = s.distance;
    this.normalize.checked = s.normalize;
    this.convention.value = s.convention;
    this.mining.value = s.mining;
    if (document.activeElement !== this.temperature) {
      this.temperature.value = String(s.temperature);
      this.temperatureError.hidden = true;
      this.temperature.classList.remove('invalid');
    }
  }

  /** Fills the snapshot picker; hidden unless there are at least two snapshots. */
  showSnapshots(names: string[], active: number): void {
    this.snapshotField.hidden = names.length < 2;
    const same =
      this.snapshot.options.length === names.length && names.every((n, i) => this.snapshot.options[i].text === n);
    if (!same) this.snapshot.replaceChildren(...names.map((n, i) => h('option', { value: i }, n)));
    this.snapshot.value = String(active);
    this.compareField.hidden = names.length < 2;
    this.compare.replaceChildren(
      h('option', { value: -1 }, '—'),
      ...names
        .map((n, i) => (i === active ? null : h('option', { value: i }, n)))
        .filter((o): o is HTMLOptionElement => o !== null),
    );
    this.compare.value = '-1';
  }
}
