/**
 * How the simulators score two character files. Real modules compare minutiae;
 * the simulators only need a rule a test can predict: the same bytes score
 * SAME_FINGER_SCORE, anything else scores below MATCH_THRESHOLD by how many
 * bytes agree, so a different template never matches.
 */
export const MATCH_THRESHOLD = 50;
export const SAME_FINGER_SCORE = 200;

export function similarityScore(a: Buffer, b: Buffer): number {
  if (a.length === b.length && a.equals(b)) return SAME_FINGER_SCORE;
  const n = Math.max(a.length, b.length);
  if (n === 0) return 0;
  let same = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) same++;
  return Math.floor(((MATCH_THRESHOLD - 1) * same) / n);
}
