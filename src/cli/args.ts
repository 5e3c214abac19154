/**
 * Command-line flag parsing with validation: every problem (unknown flag, missing value, bad
 * number, value outside an enum, missing or extra positional argument) is a `UsageError`, which the
 * CLI turns into exit code 2 with the message on stderr.
 */

/** Bad arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** How one flag is read. */
export type FlagSpec =
  | { kind: 'boolean'; help: string }
  | { kind: 'string'; help: string; placeholder?: string }
  | {
      kind: 'number';
      help: string;
      min?: number;
      max?: number;
      integer?: boolean;
      default?: number;
      placeholder?: string;
    }
  | { kind: 'enum'; help: string; values: readonly string[]; default?: string };

export type FlagSpecs = Record<string, FlagSpec>;

/** Parsed values: booleans, strings and numbers by flag name (without the dashes). */
export type FlagValues = Record<string, string | number | boolean | undefined>;

/** Result of `parseArgs`: positional arguments and flag values (defaults filled in). */
export interface ParsedArgs {
  positional: string[];
  flags: FlagValues;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--name` / `--no-name`. `positional` is the
 * number of positional arguments required (exactly, or at least with `variadic`).
 */
export function parseArgs(
  argv: string[],
  specs: FlagSpecs,
  positional: { count: number; names: string[]; variadic?: boolean },
): ParsedArgs {
  const flags: FlagValues = {};
  const pos: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      pos.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg} (options start with --)`);
      pos.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let inline = eq === -1 ? undefined : arg.slice(eq + 1);
    let negated = false;
    if (!(name in specs) && name.startsWith('no-') && specs[name.slice(3)]?.kind === 'boolean') {
      name = name.slice(3);
      negated = true;
    }
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (seen.has(name)) throw new UsageError(`option --${name} given twice`);
    seen.add(name);
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags[name] = !negated;
      continue;
    }
    if (inline === undefined) {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2))
        throw new UsageError(`option --${name} needs a value`);
      inline = argv[++i];
    }
    flags[name] = readValue(name, spec, inline);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (flags[name] === undefined && 'default' in spec && spec.default !== undefined) flags[name] = spec.default;
  }
  if (pos.length < positional.count)
    throw new UsageError(
      `missing ${positional.names
        .slice(pos.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
    );
  if (pos.length > positional.count && !positional.variadic)
    throw new UsageError(`unexpected argument ${JSON.stringify(pos[positional.count])}`);
  return { positional: pos, flags };
}

/**
 * A number written in plain decimal or exponent notation (`0.2`, `-3`, `.5`, `1e-3`), finite;
 * undefined for anything else. JavaScript's Number() would also take `0x10`, `0b1`, `0o7`,
 * `Infinity`, `''` (as 0) and surrounding blanks: on a command line those are typos, not numbers.
 */
export function parseDecimal(raw: string): number | undefined {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw)) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

function readValue(name: string, spec: FlagSpec, raw: string): string | number {
  switch (spec.kind) {
    case 'string':
      if (raw === '') throw new UsageError(`option --${name} needs a non-empty value`);
      return raw;
    case 'enum':
      if (!spec.values.includes(raw))
        throw new UsageError(`option --${name} must be one of ${spec.values.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw;
    case 'number': {
      const v = parseDecimal(raw);
      if (v === undefined)
        throw new UsageError(
          `option --${name} needs a number written in decimal (like 0.2, 15 or 1e-3), got ${JSON.stringify(raw)}`,
        );
      if (spec.integer && !Number.isInteger(v)) throw new UsageError(`option --${name} needs an integer, got ${raw}`);
      if (spec.min !== undefined && v < spec.min)
        throw new UsageError(`option --${name} must be >= ${spec.min}, got ${raw}`);
      if (spec.max !== undefined && v > spec.max)
        throw new UsageError(`option --${name} must be <= ${spec.max}, got ${raw}`);
      return v;
    }
    default:
      throw new UsageError(`option --${name} takes no value`);
  }
}

/** Help lines for a set of flags, aligned. */
export function describeFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const arg =
      s.kind === 'boolean'
        ? ''
        : s.kind === 'enum'
          ? ` ${s.values.join('|')}`
          : ` <${('placeholder' in s && s.placeholder) || (s.kind === 'number' ? 'n' : 'value')}>`;
    const def = 'default' in s && s.default !== undefined ? ` (default ${s.default})` : '';
    return [`  --${name}${arg}`, `${s.help}${def}`];
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, b]) => a.padEnd(w) + b).join('\n');
}
