/**
 * Exact ROC AUC of a binary problem from scores (p(class 1)) and 0/1 labels, by the
 * Mann–Whitney rank statistic with midranks for ties: AUC = (R₁ − n₁(n₁+1)/2)/(n₁·n₀), where R₁ is
 * the sum of the (mid)ranks of the positives. Equals sklearn.metrics.roc_auc_score (a tie between a
 * positive and a negative counts ½). NaN when either class is absent.
 */
export function binaryAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`binaryAuc: ${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const mid = (i + j) / 2 + 1; // ranks are 1-based; a tie group i..j shares their mean
    for (let t = i; t <= j; t++) {
      if (labels[order[t]!] === 1) {
        rankSumPos += mid;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
