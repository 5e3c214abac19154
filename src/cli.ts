/**
 * The `embedding-inspector` command line (bundled to dist/cli.js, started by
 * bin/embedding-inspector.js): a thin shell over the data layer and the analysis workers, so it
 * prints the same numbers as the extension. Exit codes: 0 ok, 2 bad arguments or input (message on
 * stderr), 1 anything else.
 */
import { describeFlags, UsageError } from './cli/args';
import { commands } from './cli/commands';

const PROGRAM = 'embedding-inspector';

/** The overall or per-command help text. */
export function helpText(command?: string): string {
  const c = command ? commands[command] : undefined;
  if (c) return `Usage: ${PROGRAM} ${c.usage}\n\n${c.summary}\n\nOptions:\n${describeFlags(c.flags)}\n`;
  const names = Object.keys(commands);
  const w = Math.max(...names.map((n) => n.length), 4) + 2;
  return [
    `Usage: ${PROGRAM} <command> <dataset> [options]`,
    '',
    '<dataset> is anything the extension loads: a file (.npy, .npz, .tsv, .csv, .jsonl, .parquet,',
    '.safetensors), a folder, or a manifest.',
    '',
    'Commands:',
    ...names.map((n) => `  ${n.padEnd(w)}${commands[n].summary}`),
    `  ${'help'.padEnd(w)}this text; \`help <command>\` for a command's options`,
    '',
    'Exit codes: 0 ok, 2 bad arguments or input, 1 other failures.',
    '',
  ].join('\n');
}

/** True for errors about the user's arguments or files (exit code 2). */
function isInputProblem(e: unknown): boolean {
  const name = (e as Error | undefined)?.name;
  return name === 'UsageError' || name === 'InputError' || name === 'AmbiguousChoiceError';
}

function describeError(e: unknown): string {
  const err = e as Error & { key?: string; options?: string[] };
  if (err?.name === 'AmbiguousChoiceError' && err.key && err.options) {
    const flag = err.key === 'embeddingsKey' ? '--embeddings-key' : '--labels-key';
    return `${err.message}\n(pass ${flag} <${err.options.join('|')}>)`;
  }
  return err?.message ?? String(e);
}

/** Runs the CLI on argv (without `node` and the script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = name === 'help' ? rest[0] : undefined;
      if (topic !== undefined && !commands[topic]) throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
      process.stdout.write(helpText(topic));
      return name === undefined ? 2 : 0;
    }
    const command = commands[name];
    if (!command)
      throw new UsageError(
        `unknown command ${JSON.stringify(name)}; commands: ${[...Object.keys(commands), 'help'].join(', ')}`,
      );
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(helpText(name));
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    process.stderr.write(`${PROGRAM}: ${describeError(e)}\n`);
    if (name !== undefined && (e as Error)?.name === 'UsageError')
      process.stderr.write(`Run \`${PROGRAM} help${commands[name] ? ` ${name}` : ''}\` for usage.\n`);
    return isInputProblem(e) ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`${PROGRAM}: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
