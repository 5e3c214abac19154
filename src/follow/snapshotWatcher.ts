/**
 * Watches a snapshot series' folder (`emb_0010.npy`, `emb_0020.npy`, …) for new members and
 * reports each new file once, when it is completely written (data/wholeFile.ts): `fs.watch` for
 * promptness, a slow poll as the fallback where watching misses events (network drives, some
 * containers), both feeding one debounced scan. Pure Node (no `vscode`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { numberedName } from '../data/snapshots';
import { StabilityTracker } from '../data/wholeFile';

/** A new, complete snapshot file. */
export interface CompleteSnapshot {
  /** Absolute path. */
  path: string;
  /** The number in its name (epoch / step). */
  number: number;
}

/** Options of SnapshotWatcher. */
export interface SnapshotWatcherOptions {
  /** Any member of the series (absolute path): fixes the folder, prefix and extension. */
  seriesFile: string;
  /** Files present before watching started are not reported (default: the folder's current members). */
  known?: string[];
  /** Poll period, ms (default 1000). */
  pollMs?: number;
  /** Debounce of fs.watch events, ms (default 100). */
  debounceMs?: number;
  /** How long a file must look unchanged before it counts as whole, ms (default 300). */
  stableMs?: number;
  /**
   * Optional last check (e.g. a successful parse). False or a throw: the file stays pending and is
   * tried again once it changes.
   */
  accept?: (file: string) => Promise<boolean>;
  /** Disable fs.watch (tests of the polling fallback). */
  noWatch?: boolean;
}

/**
 * Reports new complete members of a numbered series through `onComplete`, each exactly once,
 * in number order when several complete together. `start()` resolves after the first scan.
 */
export class SnapshotWatcher {
  private readonly dir: string;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly done = new Set<string>();
  /** Files whose `accept` failed, with the probe that failed: retried only after a change. */
  private readonly refused = new Map<string, string>();
  private readonly tracker: StabilityTracker;
  private watcher: fs.FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private disposed = false;

  constructor(
    private readonly opts: SnapshotWatcherOptions,
    private readonly onComplete: (s: CompleteSnapshot) => void,
  ) {
    const base = path.basename(opts.seriesFile);
    const n = numberedName(base);
    if (!n) throw new RangeError(`${base} is not a numbered snapshot file (like emb_0010.npy)`);
    this.dir = path.dirname(path.resolve(opts.seriesFile));
    this.prefix = n.prefix;
    this.suffix = n.suffix;
    this.tracker = new StabilityTracker(opts.stableMs ?? 300);
  }

  /** Begins watching; resolves once the current members are recorded. */
  async start(): Promise<void> {
    const current = this.opts.known ?? (await this.members()).map((m) => m.path);
    for (const f of current) this.done.add(path.resolve(f));
    if (this.disposed) return;
    if (!this.opts.noWatch) {
      try {
        this.watcher = fs.watch(this.dir, { persistent: false }, () => this.kick());
        this.watcher.on('error', () => {
          this.watcher?.close();
          this.watcher = undefined;
        });
      } catch {
        this.watcher = undefined; // the poll carries on alone
      }
    }
    this.poll = setInterval(() => this.kick(0), this.opts.pollMs ?? 1000);
    this.kick(0);
  }

  /** Stops watching; no report after this returns. */
  dispose(): void {
    this.disposed = true;
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.debounce) clearTimeout(this.debounce);
  }

  /** Resolves when no scan is running or queued (tests). */
  async idle(): Promise<void> {
    while (this.scanning) await this.scanning;
  }

  /** Schedules a scan after the debounce delay (or `delay`). */
  private kick(delay = this.opts.debounceMs ?? 100): void {
    if (this.disposed) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.scan();
    }, delay);
  }

  /** One scan at a time; a request during a scan runs one more afterwards. */
  private scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      try {
        do {
          this.rescan = false;
          await this.scanOnce();
        } while (this.rescan && !this.disposed);
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  private async members(): Promise<CompleteSnapshot[]> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return [];
    }
    const out: CompleteSnapshot[] = [];
    for (const name of names) {
      const n = numberedName(name);
      if (n && n.prefix === this.prefix && n.suffix === this.suffix)
        out.push({ path: path.join(this.dir, name), number: n.number });
    }
    return out.sort((a, b) => a.number - b.number || (a.path < b.path ? -1 : 1));
  }

  private async scanOnce(): Promise<void> {
    let pending = false;
    for (const m of await this.members()) {
      if (this.disposed) return;
      if (this.done.has(m.path)) continue;
      if (!(await this.tracker.check(m.path))) {
        pending = true;
        continue;
      }
      const stamp = await this.stamp(m.path);
      if (this.refused.get(m.path) === stamp) continue;
      let ok = true;
      try {
        ok = this.opts.accept ? await this.opts.accept(m.path) : true;
      } catch {
        ok = false;
      }
      if (this.disposed) return;
      if (!ok) {
        this.refused.set(m.path, stamp);
        pending = true;
        continue;
      }
      this.done.add(m.path);
      this.tracker.forget(m.path);
      this.onComplete(m);
    }
    // A file still being written is looked at again soon, not only at the next poll.
    if (pending && !this.disposed) this.kick(Math.max(50, Math.floor((this.opts.stableMs ?? 300) / 2)));
  }

  private async stamp(file: string): Promise<string> {
    try {
      const st = await fs.promises.stat(file);
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '';
    }
  }
}
