/**
 * Batch-hard and semi-hard mining split by anchor rows across workers, and merged.
 * TEMPORARY STUB until src/engine/mining.ts lands.
 */
import type { RowRange } from '../engine/knn';
import type { DistanceOptions, EngineInput, Progress } from '../engine/types';

export interface BatchHardPart { rowStart: number; rowEnd: number }
export interface SemiHardPart { rowStart: number; rowEnd: number }
export interface BatchHardResult { meanLoss: number; violatingAnchors: number; anchors: number; hardestPositive: Int32Array; dap: Float32Array; dan: Float32Array }
export interface SemiHardResult { meanLoss: number; pairs: number }

export async function batchHardPart(_i: EngineInput, _o: DistanceOptions, _m: number, _s: boolean, _r: RowRange, _p?: Progress): Promise<BatchHardPart> {
  throw new Error('batch-hard: not implemented yet');
}
export async function semiHardPart(_i: EngineInput, _o: DistanceOptions, _m: number, _r: RowRange, _p?: Progress): Promise<SemiHardPart> {
  throw new Error('semi-hard: not implemented yet');
}
export function mergeBatchHard(_parts: BatchHardPart[], _m: number, _s: boolean): BatchHardResult {
  throw new Error('batch-hard: not implemented yet');
}
export function mergeSemiHard(_parts: SemiHardPart[], _m: number): SemiHardResult {
  throw new Error('semi-hard: not implemented yet');
}
