/**
 * Suspected label errors from the k nearest neighbours (issue 16, item 3). Pure: no `vscode`.
 *
 * Score of a sample = the share of its k nearest neighbours (original space, the current distance,
 * the sample itself left out) whose label differs from its own. Suggested label = the most common
 * label among those k neighbours (a tie goes to the label of the nearest of the tied). A sample is
 * a suspect when the suggested label is not its own; suspects rank by score, then by how many
 * neighbours carry the suggested label, then by index.
 */

/** How the score is made, in the words every view shows. */
export function labelErrorMethod(k: number, distance: string): string {
  return `score = share of the ${k} nearest neighbours (${distance} distance, original space) with another label; suggested label = their most common label`;
}

/** One suspect. */
export interface LabelSuspect {
  index: number;
  label: number;
  suggested: number;
  score: number;
  support: number;
}

/**
 * Suspects, ranked (see the file comment). `indices`: n x k neighbour ids, nearest first, the
 * sample itself not among them.
 */
export function labelSuspects(indices: Int32Array, k: number, labels: Int32Array, classCount: number): LabelSuspect[] {
  const n = labels.length;
  if (indices.length !== n * k) throw new RangeError(`expected ${n} x ${k} neighbours, got ${indices.length}`);
  const votes = new Int32Array(classCount);
  const out: LabelSuspect[] = [];
  for (let i = 0; i < n; i++) {
    const own = labels[i];
    let other = 0,
      best = -1,
      bestVotes = 0;
    for (let t = 0; t < k; t++) {
      const l = labels[indices[i * k + t]];
      if (l !== own) other++;
      bestVotes = Math.max(bestVotes, ++votes[l]);
    }
    // Among the labels with the most votes, the one of the nearest neighbour.
    for (let t = 0; t < k && best < 0; t++) {
      const l = labels[indices[i * k + t]];
      if (votes[l] === bestVotes) best = l;
    }
    for (let t = 0; t < k; t++) votes[labels[indices[i * k + t]]] = 0;
    if (k > 0 && best !== own)
      out.push({ index: i, label: own, suggested: best, score: other / k, support: bestVotes });
  }
  out.sort((a, b) => b.score - a.score || b.support - a.support || a.index - b.index);
  return out;
}

/** RFC 4180 CSV of the suspects: index, path, label, suggested_label, score. */
export function labelSuspectsCsv(
  suspects: LabelSuspect[],
  classNames: string[],
  pathOf: (i: number) => string,
): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = ['index,path,label,suggested_label,score'];
  for (const s of suspects)
    rows.push(
      [
        String(s.index),
        cell(pathOf(s.index)),
        cell(classNames[s.label] ?? String(s.label)),
        cell(classNames[s.suggested] ?? String(s.suggested)),
        String(s.score),
      ].join(','),
    );
  return rows.join('\r\n') + '\r\n';
}
