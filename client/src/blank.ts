// Finds the blank that "Fill blank" should fill: pure, over offsets in the document text.

export interface OffsetRange {
  start: number;
  end: number;
}

/**
 * Every blank in `text`. A marker made of one repeated character ("___") also matches a longer run
 * of that character, so "_____" is one blank rather than one blank and two stray underscores.
 */
export function findBlanks(text: string, markers: readonly string[]): OffsetRange[] {
  const found: OffsetRange[] = [];
  for (const marker of markers) {
    if (marker.length === 0) continue;
    const repeated = [...marker].every((c) => c === marker[0]);
    const pattern = repeated
      ? new RegExp(`${escapeRegExp(marker[0])}{${marker.length},}`, 'g')
      : new RegExp(escapeRegExp(marker), 'g');
    for (const m of text.matchAll(pattern)) {
      const start = m.index ?? 0;
      found.push({ start, end: start + m[0].length });
    }
  }
  // Overlapping markers (say "___" inside "[___]" if both were configured): keep the longer one.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: OffsetRange[] = [];
  for (const r of found) {
    const last = kept[kept.length - 1];
    if (last && r.start < last.end) continue;
    kept.push(r);
  }
  return kept;
}

/**
 * The blank to fill for a caret at `offset`: the one under the caret (touching it counts), else the
 * nearest on the caret's line, else the nearest in the document. Undefined when there is none.
 */
export function findBlankNear(text: string, offset: number, markers: readonly string[]): OffsetRange | undefined {
  const blanks = findBlanks(text, markers);
  if (blanks.length === 0) return undefined;
  const under = blanks.find((b) => b.start <= offset && offset <= b.end);
  if (under) return under;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nextNewline = text.indexOf('\n', offset);
  const lineEnd = nextNewline < 0 ? text.length : nextNewline;
  const distance = (b: OffsetRange) => (b.end < offset ? offset - b.end : b.start - offset);
  const nearest = (candidates: OffsetRange[]) =>
    candidates.reduce((best, b) => (distance(b) < distance(best) ? b : best));
  const onLine = blanks.filter((b) => b.start >= lineStart && b.end <= lineEnd);
  return nearest(onLine.length > 0 ? onLine : blanks);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
