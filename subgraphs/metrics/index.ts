/**
 * metrics (ministry subgraph): the agency directory, performance targets,
 * and progress against them projected from every agency shard's events.
 */
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphDefinition } from "../kit/subgraph";
import { configureMetrics, createMetricsLoaders, type MetricsSettings } from "./context";
import { Agency, DirectoryDataset, Target, TargetChange } from "./entities";
import { Projector } from "./follower";
import { panelReader, watchProgress } from "./live";
import { migrations } from "./migrations";
import { AgencyProgressResolver, evaluationReport, EvaluationReportResolver, progressAnswers, ProgressResolver } from "./progress";
import { AgencyResolver, DirectoryDatasetResolver, TargetResolver } from "./resolvers";
import { seedMetrics } from "./seed";
import { ProgressHistoryResolver, startSnapshotJob } from "./snapshots";

export const metrics: SubgraphDefinition<ReturnType<typeof createMetricsLoaders>, MetricsSettings> = {
  name: "metrics",
  sharded: false,
  entities: [Agency, Target, TargetChange, OutboxEvent],
  migrations,
  resolvers: [AgencyResolver, TargetResolver, DirectoryDatasetResolver, AgencyProgressResolver, ProgressResolver, ProgressHistoryResolver, EvaluationReportResolver],
  orphanedTypes: [DirectoryDataset],
  references: {
    Agency: (reference, { loaders }) => loaders.agency.load(String(reference.code)),
    Dataset: (reference) => ({ agencyCode: reference.agencyCode, id: reference.id }),
    EvaluationReport: (reference, { em }) => evaluationReport(em, Number(reference.year)),
  },
  configure: configureMetrics,
  createLoaders: createMetricsLoaders,
  background: ({ orm, log, settings, gatewayUrl, events }) => {
    panelReader.configure(gatewayUrl, settings.system, log);
    const projector = new Projector({ orm, gatewayUrl, system: settings.system, log, followIntervalMs: settings.followIntervalMs });
    return [projector.start(), startSnapshotJob(orm, settings.snapshotIntervalMs, log), watchProgress(events, orm.em.fork(), progressAnswers, log)];
  },
  seed: seedMetrics,
};
