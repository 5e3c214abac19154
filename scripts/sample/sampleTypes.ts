/** The sample build's options and report (shared by the builder and the README writer). */
import type { Mining } from './embeddingNet';
import type { TripletCensus } from './tripletShares';

/** Everything that determines the sample's bytes. */
export interface SampleOptions {
  /** Output folder (created if missing). */
  out: string;
  seed: number;
  /** Epochs at which to save a snapshot, ascending; 0 is the untrained network. */
  epochs: number[];
  /** Held-out digits per class: the sample has 10 x this many rows. */
  heldOutPerClass: number;
  /** Training digits per class at most (the rest of each class after the held-out ones). */
  trainPerClass: number;
  /** Batch = P classes x K digits (Hermans et al.'s PK sampling). */
  classesPerBatch: number;
  digitsPerClass: number;
  hidden: number;
  dim: number;
  margin: number;
  mining: Mining;
  learningRate: number;
}

/** What was measured for one saved snapshot. */
export interface SnapshotReport {
  epoch: number;
  file: string;
  /** Mean batch-hard loss over the epoch's training steps (NaN for epoch 0). */
  trainLoss: number;
  census: TripletCensus;
}

/** The outcome of one build. */
export interface SampleReport {
  options: SampleOptions;
  rows: number;
  trainDigits: number;
  stepsPerEpoch: number;
  snapshots: SnapshotReport[];
}
