/**
 * The margin the user chose, owned in one place. The sidebar moves it many times a second; the
 * `embeddingInspector.margin` setting follows once the user pauses (one write, `delayMs` after the
 * last move), and this owner is its only writer. A configuration change then tells its margin
 * apart by comparison alone: while a write of ours is still to come or under way the setting is
 * behind us (ignored); the value we hold is ours coming back; any other value is the user's
 * (settings.json, the Settings UI), and it becomes the margin. No `vscode`: the writer is passed in.
 */
export class MarginOwner {
  private _value: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing = 0;

  /** `write` persists a margin in the settings; `delayMs` is the pause after the last move before it does. */
  constructor(
    initial: number,
    private readonly write: (margin: number) => Promise<void>,
    private readonly delayMs = 400,
  ) {
    this._value = initial;
  }

  /** The margin now. */
  get value(): number {
    return this._value;
  }

  /** Whether the setting is behind the margin (a write of it is still to come or under way). */
  get pending(): boolean {
    return this.timer !== undefined || this.writing > 0;
  }

  /** The user chose `margin` in the sidebar: it is the margin now, and the setting gets it once they pause. */
  choose(margin: number): void {
    this._value = margin;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.persist(), this.delayMs);
  }

  /**
   * The setting holds `margin` (after a configuration change). Returns true when the user set it
   * there (it is the margin now), false when it is ours or behind ours.
   */
  fromSetting(margin: number): boolean {
    if (this.pending || margin === this._value) return false;
    this._value = margin;
    return true;
  }

  private async persist(): Promise<void> {
    this.timer = undefined;
    this.writing++;
    try {
      await this.write(this._value);
    } catch (e) {
      console.error('[ei] saving the margin failed', e);
    } finally {
      this.writing--;
    }
  }

  /** Stops a write still to come (the extension is going away). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
