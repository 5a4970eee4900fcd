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

type Counts = Record<string, Record<string, number>>;

/**
 * Per agency subgraph: the shard's own recount, and the pairs (projected
 * figure, the shard's count) compared. An agency is asked only of the
 * subgraphs that have a shard for it.
 */
const CHECKS: Record<string, { field: string; countsAsOf: boolean; pairs: [string, string][] }> = {
  catalogue: {
    // datasets' totalCount: every dataset of the agency, in every state (metrics reads as the ministry), beside the dataset index (dataset-index.ts).
    field: "catalogueSummary(agencyCodes: $codes, asOf: $asOf) { datasets retired } datasets(agencyCodes: $codes, first: 1) { totalCount }",
    countsAsOf: true,
    pairs: [["opened", "catalogueSummary.datasets"], ["retired", "catalogueSummary.retired"], ["indexed", "datasets.totalCount"]],
  },
  feedback: {
    field: "feedbackStats(agencyCodes: $codes) { received answered answeredOnTime overdue }",
    countsAsOf: false,
    pairs: [["received", "feedbackStats.received"], ["answered", "feedbackStats.answered"], ["answeredOnTime", "feedbackStats.answeredOnTime"], ["overdue", "feedbackStats.overdue"]],
  },
};

/** Every figure that differs from the shard's count, for every agency shard the gateway routes to. */
export async function reconcile(em: EntityManager, ask: Ask, now = new Date()): Promise<Drift[]> {
  const asOf = taipeiDate(now);
  const { shards } = await ask<{ shards: { subgraph: string; agencyCode: string }[] }>("{ shards { subgraph agencyCode } }");
  const agencies = [...new Set(shards.map((shard) => shard.agencyCode))].sort();
  const projected = await projectedCounts(em, asOf);
  const drifts: Drift[] = [];
  for (const agencyCode of agencies) {
    const checks = shards.filter((shard) => shard.agencyCode === agencyCode && CHECKS[shard.subgraph]).map((shard) => CHECKS[shard.subgraph]);
    const asOfUsed = checks.some((check) => check.countsAsOf);
    const counts = await ask<Counts>(
      `query($codes: [ID!]${asOfUsed ? ", $asOf: Date" : ""}) { ${checks.map((check) => check.field).join(" ")} }`,
      { codes: [agencyCode], ...(asOfUsed ? { asOf } : {}) },
    );
    const ours = projected.get(agencyCode) ?? {};
    for (const [figure, name] of checks.flatMap((check) => check.pairs)) {
      const [field, count] = name.split(".");
      const shard = counts[field][count];
      const value = ours[figure] ?? 0;
      if (value !== shard) drifts.push({ agencyCode, figure: name, projected: value, shard });
    }
  }
  return drifts;
}
