/** "Did you mean" suggestions: Damerau-Levenshtein distance, closest first. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

export function suggest(name: string, candidates: readonly string[], max = 2): string[] {
  const lower = name.toLowerCase();
  const scored = candidates
    .map((c) => {
      const cl = c.toLowerCase();
      let dist = editDistance(lower, cl);
      if (cl.startsWith(lower) || lower.startsWith(cl)) dist = Math.min(dist, 1);
      return { c, dist };
    })
    .filter(({ c, dist }) => dist <= Math.max(2, Math.floor(c.length / 3)))
    .sort((x, y) => x.dist - y.dist || x.c.localeCompare(y.c));
  return scored.slice(0, max).map((s) => s.c);
}
