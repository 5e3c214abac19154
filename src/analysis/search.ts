/**
 * Which samples a search in the projection matches: a substring (case-insensitive) or a /regex/
 * (with optional flags) tested against each sample's label, its file name and every metadata
 * column. Pure: no `vscode`, no DOM.
 */
import { StringColumn, type StringColumnParts } from '../shared/stringColumn';

/** The samples matched (ascending), or why the query cannot be used. */
export type SearchResult = { indices: Int32Array } | { error: string };

/** What a sample's text is made of. */
export interface Searchable {
  n: number;
  labels: Int32Array;
  classNames: string[];
  /** Compact (Dataset.metadata; after a structured clone, its parts) or plain columns. */
  metadata?: Record<string, SearchColumn>;
  titles?: string[];
}

type PlainColumn = readonly (string | undefined)[];
export type SearchColumn = PlainColumn | StringColumnParts;

/** A column as strings (a compact one decoded). */
function plainColumn(c: SearchColumn): PlainColumn {
  return Array.isArray(c) ? (c as PlainColumn) : StringColumn.revive(c as StringColumnParts).toArray();
}

/** d with its metadata columns decoded once (the search worker keeps these for every search). */
export function withPlainColumns(d: Searchable): Searchable {
  if (!d.metadata) return d;
  const metadata: Record<string, SearchColumn> = {};
  for (const [name, c] of Object.entries(d.metadata)) metadata[name] = plainColumn(c);
  return { ...d, metadata };
}

/** `/a.c/i` is a regular expression; anything else a plain substring, matched case-insensitively. */
export function searchSamples(query: string, d: Searchable): SearchResult {
  const q = query.trim();
  if (q === '') return { indices: new Int32Array(0) };
  let test: (text: string) => boolean;
  const re = /^\/(.+)\/([a-z]*)$/s.exec(q);
  if (re) {
    let r: RegExp;
    try {
      r = new RegExp(re[1], re[2].replace(/g|y/g, ''));
    } catch (e) {
      return { error: `not a regular expression: ${(e as Error).message}` };
    }
    test = (t) => r.test(t);
  } else {
    const needle = q.toLowerCase();
    test = (t) => t.toLowerCase().includes(needle);
  }
  // A label matches once for all its samples.
  const labelHit = d.classNames.map((name) => test(name));
  const columns = Object.values(d.metadata ?? {}).map(plainColumn);
  const out: number[] = [];
  for (let i = 0; i < d.n; i++) {
    const l = d.labels[i];
    if (
      (l >= 0 && l < labelHit.length && labelHit[l]) ||
      (d.titles?.[i] && test(d.titles[i])) ||
      columns.some((c) => c[i] !== undefined && test(c[i]!))
    )
      out.push(i);
  }
  return { indices: Int32Array.from(out) };
}
