/**
 * Progress of a long CLI run on stderr, with the time left: one rewritten line on a terminal,
 * a line every 10 s (and at the end) when stderr is a file or a pipe (a cluster job's log).
 */
import { timeLeft } from '../shared/duration';

export interface CliProgress {
  /** `done` of `total` units (anchors unless `unit` says otherwise) of `what`. */
  update(what: string, done: number, total: number, unit?: string): void;
  done(): void;
}

/** Progress on `stream` (stderr by default); `now` is injectable for tests. */
export function cliProgress(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): CliProgress {
  const tty = stream.isTTY === true;
  const t0 = now();
  let shown = false,
    lastLine = 0;
  const write = (line: string, final: boolean) => {
    const t = now();
    if (tty) {
      stream.write(`\r${line}\x1b[K`);
      shown = true;
      return;
    }
    if (final || t - lastLine >= 10_000) {
      stream.write(line + '\n');
      lastLine = t;
    }
  };
  return {
    update(what, done, total, unit = 'anchors') {
      const f = total > 0 ? done / total : 1,
        eta = timeLeft(now() - t0, f, 2000);
      const left = eta ? `, ${eta}` : '';
      write(
        `${what}: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} ${unit} (${(100 * f).toFixed(0)} %)${left}`,
        done >= total,
      );
    },
    done() {
      if (tty && shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
