import * as vscode from 'vscode';
import type { AnalysisSettings, Convention, DistanceKind, MiningSetting } from './shared/protocol';
import { DEFAULT_QUERY_GALLERY_COLUMNS, type QueryGalleryColumns } from './data/querySplit';

const SECTION = 'embeddingInspector';
const DISTANCES: DistanceKind[] = ['euclidean', 'sqeuclidean', 'cosine'];
const CONVENTIONS: Convention[] = ['pml', 'facenet'];
const MININGS: MiningSetting[] = ['batch-all', 'batch-hard', 'semi-hard'];

/** Projection parameters (UMAP). */
export interface ProjectionSettings {
  nNeighbors: number;
  minDist: number;
  seed: number;
}

function pick<T extends string>(v: unknown, allowed: T[], fallback: T): T {
  return allowed.includes(v as T) ? (v as T) : fallback;
}
function num(v: unknown, fallback: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

/** The analysis settings as configured (invalid values fall back to the defaults). */
export function readSettings(): AnalysisSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    margin: num(c.get('margin'), 0.2, 0, 1e6),
    distance: pick(c.get('distance'), DISTANCES, 'euclidean'),
    normalize: c.get('normalize') !== false,
    convention: pick(c.get('convention'), CONVENTIONS, 'pml'),
    mining: pick(c.get('mining'), MININGS, 'batch-all'),
    temperature: num(c.get('temperature'), 0.07, 1e-6, 1e6),
  };
}

export function readProjectionSettings(): ProjectionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    nNeighbors: Math.round(num(c.get('projection.neighbors'), 15, 2, 200)),
    minDist: num(c.get('projection.minDist'), 0.1, 0, 1),
    seed: Math.round(num(c.get('projection.seed'), 42, 0, 2 ** 31 - 1)),
  };
}

/** Which graphics API draws the projection's points (embeddingInspector.projection.renderer). */
export function readRenderer(): 'auto' | 'webgpu' | 'webgl2' {
  return pick(
    vscode.workspace.getConfiguration(SECTION).get('projection.renderer'),
    ['auto', 'webgpu', 'webgl2'],
    'auto',
  );
}

/** The memory budget in bytes (embeddingInspector.maxFileMegabytes): files larger are refused, passes are sized to stay
 * under it. */
export function readMemoryBudget(): number {
  return Math.round(
    num(vscode.workspace.getConfiguration(SECTION).get('maxFileMegabytes'), 2048, 1, 65536) * 1024 * 1024,
  );
}

/** Worst triplets kept per recount. */
export function readTopK(): number {
  return Math.round(num(vscode.workspace.getConfiguration(SECTION).get('worstTriplets'), 50, 1, 10_000));
}

/** The query / gallery column names and values (embeddingInspector.queryGallery.*); empty or invalid values fall back
 * to the defaults. */
export function readQueryGalleryColumns(): QueryGalleryColumns {
  const c = vscode.workspace.getConfiguration(`${SECTION}.queryGallery`);
  const str = (key: keyof QueryGalleryColumns): string => {
    const v = c.get(key);
    return typeof v === 'string' && v.trim() ? v.trim() : DEFAULT_QUERY_GALLERY_COLUMNS[key];
  };
  return {
    splitColumn: str('splitColumn'),
    queryValue: str('queryValue'),
    galleryValue: str('galleryValue'),
    cameraColumn: str('cameraColumn'),
  };
}

/** Checks a value coming from a webview before it reaches the settings. Returns undefined when invalid. */
export function validateSetting(
  key: string,
  value: unknown,
): { key: keyof AnalysisSettings; value: AnalysisSettings[keyof AnalysisSettings] } | undefined {
  switch (key) {
    case 'margin':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1e6
        ? { key, value }
        : undefined;
    case 'distance':
      return DISTANCES.includes(value as DistanceKind) ? { key, value: value as DistanceKind } : undefined;
    case 'normalize':
      return typeof value === 'boolean' ? { key, value } : undefined;
    case 'convention':
      return CONVENTIONS.includes(value as Convention) ? { key, value: value as Convention } : undefined;
    case 'mining':
      return MININGS.includes(value as MiningSetting) ? { key, value: value as MiningSetting } : undefined;
    case 'temperature':
      return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 1e6
        ? { key, value }
        : undefined;
    default:
      return undefined;
  }
}

/** Persists a setting in the workspace (or globally when no folder is open). */
export async function writeSetting(key: keyof AnalysisSettings, value: unknown): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(key, value, target);
}

/** True when the event touches a setting of ours. */
export function affectsUs(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
