/**
 * metrics (ministry subgraph): the agency directory, performance targets,
 * and progress against them projected from every agency shard's events.
 */
import { isVisible } from "../kit/datasets";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { configureMetrics, createMetricsLoaders, type MetricsSettings } from "./context";
import { Agency, IndexedDataset, Target, TargetChange } from "./entities";
import { DatasetIndexResolver } from "./dataset-index";
import { Projector } from "./follower";
import { panelReader, watchProgress } from "./live";
import { migrations } from "./migrations";
import { AgencyProgressResolver, evaluationReport, EvaluationReportResolver, progressAnswers, ProgressResolver } from "./progress";
import { AgencyResolver, IndexedDatasetResolver, TargetResolver } from "./resolvers";
import { seedMetrics } from "./seed";
import { ProgressHistoryResolver, startSnapshotJob } from "./snapshots";

export const metrics: SubgraphDefinition<ReturnType<typeof createMetricsLoaders>, MetricsSettings> = {
  name: "metrics",
  sharded: false,
  entities: [Agency, Target, TargetChange, IndexedDataset, OutboxEvent],
  migrations,
  resolvers: [AgencyResolver, DatasetIndexResolver, TargetResolver, IndexedDatasetResolver, AgencyProgressResolver, ProgressResolver, ProgressHistoryResolver, EvaluationReportResolver],
  references: {
    Agency: (reference, { loaders }) => loaders.agency.load(String(reference.code)),
    // The indexed entry, so a shareable field asked here is the index's; a dataset not indexed yet is its key alone.
    Dataset: async (reference, { loaders, viewer }) => {
      const entry = await loaders.indexedDataset.load(String(reference.id));
      if (!entry) return { agencyCode: reference.agencyCode, id: reference.id };
      return isVisible(viewer, entry) ? entry : null;
    },
    EvaluationReport: (reference, { em }) => evaluationReport(em, Number(reference.year)),
  },
  configure: configureMetrics,
  createLoaders: createMetricsLoaders,
  background: ({ orm, log, settings, gatewayUrl, events }) => {
    panelReader.configure(gatewayUrl, settings.system, log);
    // Today's snapshot is taken as soon as the projection has caught up with the shards, then every interval.
    const projector = new Projector({ orm, gatewayUrl, system: settings.system, log, followIntervalMs: settings.followIntervalMs, onCaughtUp: () => void snapshots.runOnce() });
    const snapshots = startSnapshotJob(orm, settings.snapshotIntervalMs, log, projector);
    return [projector.start(), snapshots, watchProgress(events, orm.em.fork(), progressAnswers, log)];
  },
  seed: seedMetrics,
};
