/**
 * Reconciliation: every projected count beside the shard's own recount
 * (`catalogueSummary`, `feedbackStats`, and the dataset index's count beside
 * `datasets`' totalCount, asked of each agency through the
 * gateway). A drift names the agency, the figure and both values.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { taipeiDate } from "../kit/scalars";
import { projectedCounts } from "./store";

export interface Drift {
  agencyCode: string;
  figure: string;
  projected: number;
  shard: number;
}

export type Ask = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

interface ShardCounts {
  catalogueSummary: { datasets: number; retired: number };
  datasets: { totalCount: number };
  feedbackStats: { received: number; answered: number; answeredOnTime: number; overdue: number };
}

/** Pairs of (projected figure, the shard's own count) compared per agency. */
const PAIRS: [string, string, (counts: ShardCounts) => number][] = [
  ["opened", "catalogueSummary.datasets", (c) => c.catalogueSummary.datasets],
  ["retired", "catalogueSummary.retired", (c) => c.catalogueSummary.retired],
  // The dataset index (dataset-index.ts): every dataset of the agency, in every state (metrics reads as the ministry).
  ["indexed", "datasets.totalCount", (c) => c.datasets.totalCount],
  ["received", "feedbackStats.received", (c) => c.feedbackStats.received],
  ["answered", "feedbackStats.answered", (c) => c.feedbackStats.answered],
  ["answeredOnTime", "feedbackStats.answeredOnTime", (c) => c.feedbackStats.answeredOnTime],
  ["overdue", "feedbackStats.overdue", (c) => c.feedbackStats.overdue],
];

/** Every figure that differs from the shard's count, for every agency the gateway routes to. */
export async function reconcile(em: EntityManager, ask: Ask, now = new Date()): Promise<Drift[]> {
  const asOf = taipeiDate(now);
  const { shards } = await ask<{ shards: { subgraph: string; agencyCode: string }[] }>("{ shards { subgraph agencyCode } }");
  const agencies = [...new Set(shards.map((shard) => shard.agencyCode))].sort();
  const projected = await projectedCounts(em, asOf);
  const drifts: Drift[] = [];
  for (const agencyCode of agencies) {
    const counts = await ask<ShardCounts>(
      `query($codes: [ID!], $asOf: Date) {
         catalogueSummary(agencyCodes: $codes, asOf: $asOf) { datasets retired }
         datasets(agencyCodes: $codes, first: 1) { totalCount }
         feedbackStats(agencyCodes: $codes) { received answered answeredOnTime overdue } }`,
      { codes: [agencyCode], asOf },
    );
    const ours = projected.get(agencyCode) ?? {};
    for (const [figure, name, theirs] of PAIRS) {
      const shard = theirs(counts);
      const value = ours[figure] ?? 0;
      if (value !== shard) drifts.push({ agencyCode, figure: name, projected: value, shard });
    }
  }
  return drifts;
}
