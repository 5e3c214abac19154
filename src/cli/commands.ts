/**
 * The CLI's subcommands, by name. To add one, write `src/cli/<name>.ts` exporting its flags and a
 * `run(argv): Promise<exit code>`, then add an entry here: `help` and dispatch pick it up.
 * (`project` lives in projectCommand.ts, owned by the projection module.)
 */
import type { FlagSpecs } from './args';
import { censusFlags, runCensus } from './census';
import { diffFlags, diffUsage, runDiff } from './diffCommand';
import { knnFlags, runKnn } from './knn';
import { mergeFlags, mergeUsage, runMerge } from './merge';
import { projectCommand, projectFlags, projectUsage } from './projectCommand';

/** One subcommand. */
export interface Command {
  /** One-line description for `help`. */
  summary: string;
  /** Usage line after the program name, e.g. `census <dataset> [options]`. */
  usage: string;
  flags: FlagSpecs;
  /** Runs with the arguments after the subcommand name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  census: {
    summary:
      'exact triplet census (easy / semi-hard / hard), losses, batch-hard and retrieval metrics, at any N; --sample for an estimate in seconds',
    usage: 'census <dataset> [options]',
    flags: censusFlags,
    run: runCensus,
  },
  diff: {
    summary: 'what changed between two snapshots of the same samples: transitions, worsened samples and class pairs',
    usage: diffUsage,
    flags: diffFlags,
    run: runDiff,
  },
  merge: {
    summary:
      'joins the parts of `census --anchors <start>:<end> --part <file>` into the census of every anchor (the same output as one run)',
    usage: mergeUsage,
    flags: mergeFlags,
    run: runMerge,
  },
  knn: {
    summary: 'exact k nearest neighbours of every sample',
    usage: 'knn <dataset> --k <k> [--out <file.npy>] [options]',
    flags: knnFlags,
    run: runKnn,
  },
  project: {
    summary: 'the 2-D UMAP layout the extension shows, as an N x 2 float32 .npy',
    usage: projectUsage,
    flags: projectFlags,
    run: projectCommand,
  },
};
