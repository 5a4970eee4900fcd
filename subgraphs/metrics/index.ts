/**
 * metrics (ministry subgraph): the agency directory, performance targets,
 * and progress against them projected from every agency shard's events.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import { config, loadSecrets } from "../../contract/config";
import { rowsByKey, rowsGroupedBy } from "../kit/loaders";
import { OutboxEvent } from "../kit/outbox";
import type { SubgraphContext, SubgraphDefinition } from "../kit/subgraph";
import { Agency, DirectoryDataset, Target, TargetChange } from "./entities";
import { Projector } from "./follower";
import { panelReader, progressFeed } from "./live";
import { migrations } from "./migrations";
import { AgencyProgressResolver, evaluationReport, EvaluationReportResolver, ProgressResolver } from "./progress";
import { AgencyResolver, DirectoryDatasetResolver, TargetResolver } from "./resolvers";
import { seedMetrics } from "./seed";
import { startSnapshotJob } from "./snapshots";

function createLoaders(em: EntityManager) {
  return {
    agency: rowsByKey<Agency, string>(em, Agency, "code"),
    targetsOfAgency: rowsGroupedBy<Target, string>(em, Target, "agencyCode", { year: "asc", indicator: "asc" }),
    changesOfTarget: rowsGroupedBy<TargetChange, string>(em, TargetChange, "targetId", { changedAt: "asc" }),
  };
}

export type MetricsContext = SubgraphContext<ReturnType<typeof createLoaders>>;

export const metrics: SubgraphDefinition<ReturnType<typeof createLoaders>> = {
  name: "metrics",
  sharded: false,
  entities: [Agency, Target, TargetChange, OutboxEvent],
  migrations,
  resolvers: [AgencyResolver, TargetResolver, DirectoryDatasetResolver, AgencyProgressResolver, ProgressResolver, EvaluationReportResolver],
  orphanedTypes: [DirectoryDataset],
  references: {
    Agency: (reference, { loaders }) => loaders.agency.load(String(reference.code)),
    Dataset: (reference) => ({ agencyCode: reference.agencyCode, id: reference.id }),
    EvaluationReport: (reference, { em }) => evaluationReport(em, Number(reference.year)),
  },
  createLoaders,
  // The projection follows the gateway's routing table, so it runs only where the gateway is known.
  background: (orm, _instance, log, { gatewayUrl }) => {
    const snapshots = startSnapshotJob(() => orm.em.fork(), config.metricsSnapshotIntervalMs, log);
    if (!gatewayUrl) return snapshots;
    const { internalSecret } = loadSecrets();
    panelReader.configure(gatewayUrl, internalSecret, log);
    const projector = new Projector({
      orm,
      gatewayUrl,
      internalSecret,
      log,
      followIntervalMs: config.metricsFollowIntervalMs,
      onChange: (change) => progressFeed.publish("progressChanged", change),
    });
    projector.start();
    return {
      async stop() {
        await projector.stop();
        await snapshots.stop();
      },
    };
  },
  seed: seedMetrics,
};
