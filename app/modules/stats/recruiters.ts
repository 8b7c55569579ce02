/** Share-link recruiters grouped by how many signers each brought: sizes, never who. */
export const RECRUITER_BUCKETS = ["1", "2-4", "5-9", "10+"] as const;
export type RecruiterBucket = (typeof RECRUITER_BUCKETS)[number];

export function recruiterBucket(recruited: number): RecruiterBucket {
  return recruited >= 10 ? "10+" : recruited >= 5 ? "5-9" : recruited >= 2 ? "2-4" : "1";
}
