import type { FilterQuery } from "@mikro-orm/postgresql";
import { ArrayMaxSize, IsIn, IsUrl, Length, Matches, ValidateNested } from "class-validator";
import { Arg, Args, ArgsType, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, registerEnumType, Resolver, Root } from "type-graphql";
import type { Viewer } from "../kit/claims";
import { requireAgencyWriter } from "../kit/authorization";
import { ConnectionType, emptyConnection, keysetPage, type Connection } from "../kit/connection";
import type { SortOrder } from "../kit/cursor";
import { ErrorCode, govError } from "../kit/errors";
import { EventSubscription } from "../kit/events";
import { appendEvent } from "../kit/outbox";
import { CalendarDate, taipeiDate } from "../kit/scalars";
import { assertOwnShard, isRequested } from "../kit/shard";
import { ACCRUAL_PERIODICITY, CHARACTER_SETS, isVisible, SERVICE_CATEGORIES, summarize, visibleStates } from "./domain";
import { CatalogueSummary, Dataset, DatasetType, LifecycleState, Resource } from "./entities";
import type { CatalogueContext } from "./index";

/** The catalogue's view of an agency: its datasets, resolved on the agency's own shard. */
@ObjectType("Agency")
@Directive('@key(fields: "code")')
@Directive('@shardKey(field: "code")')
export class CatalogueAgency {
  @Field(() => ID)
  code!: string;
}

const DatasetConnection = ConnectionType(Dataset, "Dataset");

export enum DatasetOrder {
  PUBLISHED_DESC = "PUBLISHED_DESC",
  PUBLISHED_ASC = "PUBLISHED_ASC",
  TITLE_ASC = "TITLE_ASC",
  MODIFIED_DESC = "MODIFIED_DESC",
}
registerEnumType(DatasetOrder, { name: "DatasetOrder", description: "Dataset orders; ties are broken by the national identifier." });

const byIdentifier = { property: "identifier", direction: "asc" } as const;
const DATASET_ORDERS: Record<DatasetOrder, SortOrder<Dataset>> = {
  PUBLISHED_DESC: { name: DatasetOrder.PUBLISHED_DESC, keys: [{ property: "issued", direction: "desc" }, byIdentifier] },
  PUBLISHED_ASC: { name: DatasetOrder.PUBLISHED_ASC, keys: [{ property: "issued", direction: "asc" }, byIdentifier] },
  TITLE_ASC: { name: DatasetOrder.TITLE_ASC, keys: [{ property: "title", direction: "asc" }, byIdentifier] },
  MODIFIED_DESC: { name: DatasetOrder.MODIFIED_DESC, keys: [{ property: "modified", direction: "desc" }, byIdentifier] },
};

@ArgsType()
class DatasetPageArgs {
  @Field(() => Int, { defaultValue: 20, description: "At most 100." })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;

  @Field(() => DatasetOrder, { defaultValue: DatasetOrder.PUBLISHED_DESC })
  orderBy!: DatasetOrder;

  @Field(() => LifecycleState, { nullable: true, description: "Only datasets in this state." })
  state?: LifecycleState;
}

@ArgsType()
class DatasetListArgs extends DatasetPageArgs {
  @Field(() => [ID], { nullable: true, description: "Only these agencies' datasets (default: every agency)." })
  agencyCodes?: string[];
}

/** The datasets of one agency a viewer may list, optionally in one state. */
function datasetFilter(viewer: Viewer, agencyCode: string, state: LifecycleState | undefined): FilterQuery<Dataset> {
  const states = visibleStates(viewer, agencyCode) ?? Object.values(LifecycleState);
  return { agencyCode, lifecycleState: { $in: states.filter((s) => !state || s === state) } };
}

@InputType()
class ResourceInput {
  @Field()
  @Length(1, 1000)
  description!: string;

  @Field()
  @Length(1, 20)
  format!: string;

  @Field({ defaultValue: "UTF-8" })
  @IsIn(CHARACTER_SETS)
  encoding!: string;

  @Field()
  @IsUrl({ protocols: ["http", "https"], require_protocol: true, require_tld: false })
  downloadUrl!: string;
}

@InputType({ description: "A dataset published by an agency, with its resources." })
class RegisterDatasetInput {
  @Field(() => ID, { description: "The owning agency: the shard the dataset is written to." })
  agencyCode!: string;

  @Field({ description: "National dataset identifier, kept exactly as given." })
  @Length(1, 64)
  identifier!: string;

  @Field()
  @Length(1, 255)
  title!: string;

  @Field()
  @Length(1, 10000)
  description!: string;

  @Field()
  @IsIn(SERVICE_CATEGORIES, { message: "must be one of the 18 service categories (服務分類)" })
  category!: string;

  @Field(() => DatasetType, { defaultValue: DatasetType.RAW_DATA })
  type!: DatasetType;

  @Field({ description: "每<number><年|月|週|日|時|分> or 不定期更新." })
  @Matches(ACCRUAL_PERIODICITY, { message: "must be a number and a unit (每1年, 每3分…) or 不定期更新" })
  accrualPeriodicity!: string;

  @Field(() => CalendarDate, { nullable: true, description: "Publication day; today in Asia/Taipei when omitted." })
  issued?: string;

  @Field(() => [ResourceInput], { defaultValue: [] })
  @ValidateNested({ each: true })
  @ArrayMaxSize(50)
  resources!: ResourceInput[];
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
    @Args() { first, after, orderBy, state }: DatasetPageArgs,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Connection<Dataset>> {
    assertOwnShard(instance, agency.code, "code");
    return keysetPage(em, Dataset, datasetFilter(viewer, agency.code, state), DATASET_ORDERS[orderBy], first, after);
  }
}

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => Dataset, { nullable: true, description: "One dataset, from its agency's shard." })
  @Directive('@shardBy(argument: "agencyCode")')
  async dataset(
    @Arg("agencyCode", () => ID) agencyCode: string,
    @Arg("id", () => ID) id: string,
    @Ctx() { loaders, viewer, instance }: CatalogueContext,
  ): Promise<Dataset | null> {
    assertOwnShard(instance, agencyCode);
    const dataset = await loaders.dataset.load(id);
    return dataset && isVisible(viewer, dataset) ? dataset : null;
  }

  @Query(() => DatasetConnection, { description: "Datasets of every agency (or those named), merged across shards in one order." })
  @Directive('@shardFanOut(merge: "CONNECTION", subset: "agencyCodes")')
  async datasets(
    @Args() { first, after, orderBy, state, agencyCodes }: DatasetListArgs,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<Connection<Dataset>> {
    if (!isRequested(instance, agencyCodes)) return emptyConnection();
    return keysetPage(em, Dataset, datasetFilter(viewer, instance.agencyCode!, state), DATASET_ORDERS[orderBy], first, after);
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
    return summarize(rows, asOf ?? taipeiDate(new Date()));
  }

  @FieldResolver(() => [Resource])
  resources(@Root() dataset: Dataset, @Ctx() { loaders }: CatalogueContext): Promise<Resource[]> {
    return loaders.resourcesOfDataset.load(dataset.id);
  }

  @Mutation(() => RegisterDatasetPayload, { description: "Agency staff publish a dataset on their agency's shard." })
  @Directive('@shardBy(argument: "input.agencyCode")')
  async registerDataset(
    @Arg("input") input: RegisterDatasetInput,
    @Ctx() { em, viewer, instance }: CatalogueContext,
  ): Promise<RegisterDatasetPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "publish datasets");
    assertOwnShard(instance, input.agencyCode, "input.agencyCode");
    return em.transactional(async (tx) => {
      if (await tx.count(Dataset, { identifier: input.identifier })) {
        throw govError(ErrorCode.CONFLICT, `A dataset with identifier ${input.identifier} already exists.`, {
          fields: [{ path: "input.identifier", reason: "is already used" }],
        });
      }
      const { resources, ...fields } = input;
      const dataset = tx.create(Dataset, { ...fields, issued: input.issued ?? taipeiDate(new Date()) });
      resources.forEach((resource, i) => {
        const resourceId = `${input.identifier}-${String(i + 1).padStart(3, "0")}`;
        dataset.resources.add(tx.create(Resource, { ...resource, dataset, resourceId, position: i }));
      });
      tx.persist(dataset);
      appendEvent(tx, "DatasetPublished", dataset.id, { agencyCode: dataset.agencyCode, identifier: dataset.identifier, issued: dataset.issued });
      return { dataset };
    });
  }
}

export const CatalogueEventResolver = EventSubscription({
  field: "catalogueEvents",
  typeName: "CatalogueEvent",
  typeDescription: "Something that happened in an agency's catalogue (a dataset published, retired, checked…).",
});
