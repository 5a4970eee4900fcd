import { LockMode } from "@mikro-orm/postgresql";
import { Arg, Args, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from "type-graphql";
import { EntityId, EntityIdArg } from "../kit/validation";
import type { Viewer } from "../../contract/claims";
import { inventoryReaders } from "../../contract/visibility";
import { requireAgencyWriter } from "../../contract/authorization";
import { ConnectionType, emptyConnection, keysetPage, type Connection } from "../kit/connection";
import { DatasetListArgs, DatasetPageArgs, datasetOrders } from "../kit/datasets";
import { badUserInput, ErrorCode, forbidden, govError, notFound } from "../../contract/errors";
import { EventSubscription } from "../kit/events";
import { CalendarDate } from "../kit/scalars";
import { todayInTaipei } from "../kit/days";
import { assertOwnShard, isRequested, ShardBy } from "../kit/shard";
import { inPlatformSpelling, isVisible, retirementInputProblems, retirementProblem, summarize, unpublishedProblem, visibleStates } from "./domain";
import { CatalogueSummary, Dataset, LifecycleState, Resource } from "./entities";
import { RegisterDatasetInput, RetireDatasetInput } from "./inputs";
import {
  INVENTORY_ORDER,
  InventoryConnection,
  InventoryItem,
  InventoryState,
  InventorySummary,
  inventorySummary,
  Openness,
} from "./inventory";
import { checkDataset, checkOptions } from "./quality/checker";
import { DatasetCheck, ResourceCheck } from "./quality/entities";
import { canonicalFormat, PriorityBasis } from "../kit/vocabulary";
import { searchFilter } from "../kit/dataset-search";
import { isIn, joinSql, sql, type SqlFragment } from "../kit/sql";
import { appendDatasetEvent, publishDataset } from "./writes";
import { scanResources } from "./deidentification/gate";
import { loadPublishedResources } from "./datastore/loading";
import type { CatalogueContext } from "./context";

function requireInventoryReader(viewer: Viewer, agencyCode: string): void {
  if (!inventoryReaders(viewer, agencyCode)) throw forbidden("The inventory is shown to its agency, the ministry and the advisory panel.");
}

/** The catalogue's view of an agency: its datasets, resolved on the agency's own shard. */
@ObjectType("Agency")
@Directive('@key(fields: "code")')
@Directive('@shardKey(field: "code")')
export class CatalogueAgency {
  @Field(() => ID)
  code!: string;
}

const DatasetConnection = ConnectionType(Dataset, "Dataset");

const DATASET_ORDERS = datasetOrders<Dataset>();

/** The datasets of one agency a viewer may list, narrowed by the list's filters: SQL over the dataset table. */
function datasetFilter(viewer: Viewer, agencyCode: string, { state, search, category, format, badge }: DatasetPageArgs): SqlFragment {
  const states = (visibleStates(viewer, agencyCode) ?? Object.values(LifecycleState)).filter((s) => !state || s === state);
  const filters = [sql`agency_code = ${agencyCode}`, isIn(sql`lifecycle_state`, states)];
  if (search?.trim()) filters.push(searchFilter(search));
  if (category) filters.push(sql`category = ${category}`);
  // A filter spelled any way (ＣＳＶ, .csv) is read in the platform's spelling, as a resource's format is stored.
  if (format) filters.push(sql`exists (select 1 from resource where resource.dataset_id = dataset.id and upper(resource.format) = ${canonicalFormat(format)})`);
  if (badge) filters.push(sql`quality_level = ${badge}`);
  return joinSql(filters, " and ");
}

@InputType()
class CheckDatasetQualityInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("a dataset")
  datasetId!: string;
}

@ObjectType()
class CheckDatasetQualityPayload {
  @Field(() => DatasetCheck)
  check!: DatasetCheck;
}

@ObjectType()
class RegisterDatasetPayload {
  @Field(() => Dataset)
  dataset!: Dataset;
}

@Resolver(() => CatalogueAgency)
export class CatalogueAgencyResolver {
  @FieldResolver(() => DatasetConnection, {
    nullable: true,
    description: "The agency's datasets, newest first; null (with a SHARD_UNAVAILABLE error) when its shard cannot answer.",
  })
  datasets(
    @Root() agency: CatalogueAgency,
    @Args() args: DatasetPageArgs,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Connection<Dataset>> {
    assertOwnShard(instance, agency.code, "code");
    return keysetPage(em, Dataset, datasetFilter(viewer, agency.code, args), DATASET_ORDERS[args.orderBy], args.first, args.after);
  }
}

@Resolver(() => CatalogueAgency)
export class InventoryAgencyResolver {
  @FieldResolver(() => InventoryConnection, {
    nullable: true,
    description: "The agency's data inventory (盤點) in opening order; for the agency, the ministry and the advisory panel, which reviews it.",
  })
  inventory(
    @Root() agency: CatalogueAgency,
    @Arg("first", () => Int, { defaultValue: 20 }) first: number,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Connection<InventoryItem>> {
    assertOwnShard(instance, agency.code, "code");
    requireInventoryReader(viewer, agency.code);
    return keysetPage(em, InventoryItem, sql`agency_code = ${agency.code}`, INVENTORY_ORDER, first, after);
  }

  @FieldResolver(() => InventorySummary, {
    nullable: true,
    description: "The inventory in counts by state and priority basis, now; for the agency, the ministry and the advisory panel.",
  })
  async inventorySummary(@Root() agency: CatalogueAgency, @Ctx() { em, viewer, instance }: CatalogueContext): Promise<InventorySummary> {
    assertOwnShard(instance, agency.code, "code");
    requireInventoryReader(viewer, agency.code);
    const groups = await em.getConnection().execute<{ state: InventoryState; openness: Openness; basis: PriorityBasis | null; count: string }[]>(
      "select state, openness, priority_basis as basis, count(*) as count from inventory_item where agency_code = ? group by 1, 2, 3",
      [agency.code],
    );
    return inventorySummary(groups.map((group) => ({ ...group, count: Number(group.count) })));
  }
}

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => Dataset, { nullable: true, description: "One dataset, from its agency's shard." })
  @ShardBy("agencyCode")
  async dataset(
    @Arg("agencyCode", () => ID) _agencyCode: string,
    @EntityIdArg("id", "a dataset") id: string,
    @Ctx() { loaders, viewer }: CatalogueContext,
  ): Promise<Dataset | null> {
    const dataset = await loaders.dataset.load(id);
    return dataset && isVisible(viewer, dataset) ? dataset : null;
  }

  @Query(() => DatasetConnection, { description: "Datasets of every agency (or those named), merged across shards in one order." })
  @Directive('@shardFanOut(merge: "CONNECTION", subset: "agencyCodes")')
  async datasets(
    @Args() args: DatasetListArgs,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Connection<Dataset>> {
    if (!isRequested(instance, args.agencyCodes)) return emptyConnection();
    return keysetPage(em, Dataset, datasetFilter(viewer, instance.agencyCode!, args), DATASET_ORDERS[args.orderBy], args.first, args.after);
  }

  @Query(() => [Dataset], { description: "Datasets with these national identifiers, from every agency (or those named)." })
  @Directive('@shardFanOut(merge: "LIST", subset: "agencyCodes")')
  async datasetsByIdentifier(
    @Arg("identifiers", () => [String]) identifiers: string[],
    @Arg("agencyCodes", () => [ID], { nullable: true }) agencyCodes: string[] | undefined,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Dataset[]> {
    if (!isRequested(instance, agencyCodes) || identifiers.length === 0) return [];
    const states = visibleStates(viewer, instance.agencyCode!);
    return em.find(
      Dataset,
      { identifier: { $in: identifiers }, ...(states ? { lifecycleState: { $in: states } } : {}) },
      { orderBy: { identifier: "asc" } },
    );
  }

  @Query(() => CatalogueSummary, { description: "Dataset counts as of a day (default today), summed over every agency or those named." })
  @Directive('@shardFanOut(merge: "AGGREGATE", subset: "agencyCodes")')
  async catalogueSummary(
    @Arg("agencyCodes", () => [ID], { nullable: true }) agencyCodes: string[] | undefined,
    @Arg("asOf", () => CalendarDate, { nullable: true }) asOf: string | undefined,
    @Ctx() { em, instance }: CatalogueContext,
  ): Promise<CatalogueSummary> {
    if (!isRequested(instance, agencyCodes)) return { datasets: 0, published: 0, retired: 0 };
    const rows = await em.find(
      Dataset,
      { lifecycleState: { $in: [LifecycleState.PUBLISHED, LifecycleState.RETIRED] } },
      { fields: ["issued", "retiredOn"] },
    );
    return summarize(rows, asOf ?? todayInTaipei());
  }

  @FieldResolver(() => DatasetCheck, { nullable: true, description: "The latest quality check (資料集品質檢測): indicators and badge." })
  quality(@Root() dataset: Dataset, @Ctx() { loaders }: CatalogueContext): Promise<DatasetCheck | null> {
    return loaders.latestCheck.load(dataset.id);
  }

  @FieldResolver(() => [Resource])
  resources(@Root() dataset: Dataset, @Ctx() { loaders }: CatalogueContext): Promise<Resource[]> {
    return loaders.resourcesOfDataset.load(dataset.id);
  }

  @Mutation(() => RegisterDatasetPayload, { description: "Agency staff publish a dataset on their agency's shard." })
  @ShardBy("input.agencyCode")
  async registerDataset(
    @Arg("input") input: RegisterDatasetInput,
    @Ctx() { em, viewer, settings, log }: CatalogueContext,
  ): Promise<RegisterDatasetPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "publish datasets");
    const spelled = inPlatformSpelling(input);
    const scans = await scanResources(spelled.resources, settings.scan);
    const dataset = await em.transactional((tx) => publishDataset(tx, spelled, "input", scans));
    loadPublishedResources(em, dataset.resources.getItems(), dataset.id, settings.scan, log);
    return { dataset };
  }

  @Mutation(() => CheckDatasetQualityPayload, { description: "Agency staff check a published dataset's quality now, instead of waiting for its turn." })
  @ShardBy("input.agencyCode")
  async checkDatasetQuality(@Arg("input") input: CheckDatasetQualityInput, @Ctx() { em, viewer, log, settings }: CatalogueContext): Promise<CheckDatasetQualityPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "check dataset quality");
    const dataset = await em.findOne(Dataset, { id: input.datasetId });
    if (!dataset) throw notFound(`Dataset ${input.datasetId} of ${input.agencyCode}`);
    const problem = unpublishedProblem(dataset);
    if (problem) throw govError(ErrorCode.CONFLICT, `Cannot check the quality of ${dataset.identifier}: ${problem}.`);
    const replyStats = await settings.quality.replyRecord(input.agencyCode, log);
    return { check: await checkDataset(em, dataset, checkOptions(settings.quality, replyStats, log)) };
  }

  @Mutation(() => RegisterDatasetPayload, { description: "Agency staff retire (or merge away) a published dataset; it stays in the catalogue with the day and the reason." })
  @ShardBy("input.agencyCode")
  async retireDataset(@Arg("input") input: RetireDatasetInput, @Ctx() { em, viewer }: CatalogueContext): Promise<RegisterDatasetPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "retire datasets");
    return em.transactional(async (tx) => {
      const dataset = await tx.findOne(Dataset, { id: input.datasetId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!dataset) throw notFound(`Dataset ${input.datasetId} of ${input.agencyCode}`);
      const today = todayInTaipei();
      const retiredOn = input.retiredOn ?? today;
      const problems = retirementInputProblems(dataset, { retiredOn, mergedInto: input.mergedInto }, today);
      if (problems.length > 0) throw badUserInput(problems);
      const problem = retirementProblem(dataset, retiredOn);
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot retire ${dataset.identifier}: ${problem}.`);
      if (input.mergedInto && !(await tx.count(Dataset, { identifier: input.mergedInto, lifecycleState: LifecycleState.PUBLISHED }))) {
        throw govError(ErrorCode.BAD_USER_INPUT, `No published dataset ${input.mergedInto} to merge into.`, { fields: [{ path: "input.mergedInto", reason: "is not a published dataset of this agency" }] });
      }
      tx.assign(dataset, {
        lifecycleState: LifecycleState.RETIRED,
        retiredOn,
        retirementReason: input.mergedInto ? `merged into ${input.mergedInto}: ${input.reason}` : input.reason,
        modified: new Date(),
      });
      appendDatasetEvent(tx, "DatasetRetired", dataset, { mergedInto: input.mergedInto ?? null });
      return { dataset };
    });
  }
}

@Resolver(() => Resource)
export class ResourceResolver {
  @FieldResolver(() => [ResourceCheck], { description: "This resource's quality checks, newest first." })
  async checks(
    @Root() resource: Resource,
    @Arg("last", () => Int, { defaultValue: 5 }) last: number,
    @Ctx() { loaders }: CatalogueContext,
  ): Promise<ResourceCheck[]> {
    return (await loaders.checksOfResource.load(resource.id)).slice(0, Math.max(0, last));
  }
}

export const CatalogueEventResolver = EventSubscription({
  field: "catalogueEvents",
  typeName: "CatalogueEvent",
  typeDescription: "Something that happened in an agency's catalogue (a dataset published, retired, checked…).",
});
