/**
 * The data inventory (資料盤點): every data holding of an agency, its
 * openness decision and the basis that sets its priority, its planned
 * opening day, and — once published — the dataset it became. Personal data
 * is published only once its de-identification is recorded. Usage (views,
 * downloads, requests) ranks the inventory.
 *
 *   INVENTORIED ──decide OPENABLE (basis, planned day)──▶ PLANNED ──publish──▶ PUBLISHED
 *        └──decide NOT_OPENABLE (legal basis): stays INVENTORIED, not openable
 */
import { Entity, Enum, LockMode, OptionalProps, PrimaryKey, Property, type EntityManager } from "@mikro-orm/postgresql";
import { IsOptional, Min, ValidateNested } from "class-validator";
import { Arg, Ctx, Directive, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, registerEnumType, Resolver, Root } from "type-graphql";
import { EntityId, TextLength } from "../kit/validation";
import { requireAgencyWriter } from "../../contract/authorization";
import { badUserInput, ErrorCode, govError, notFound, type FieldProblem } from "../../contract/errors";
import { newId } from "../kit/ids";
import { aboutSubject, appendAgencyEvent } from "../kit/outbox";
import { CalendarDate } from "../kit/scalars";
import { ShardBy } from "../kit/shard";
import { PriorityBasis } from "../kit/vocabulary";
import { ConnectionType } from "../kit/connection";
import type { SortOrder } from "../../contract/cursor";
import type { CatalogueContext } from "./context";
import { RegisterDatasetInput } from "./inputs";
import { inPlatformSpelling } from "./domain";
import { beforeRocCalendarProblem } from "../kit/days";
import { publishDataset } from "./writes";
import { scanResources } from "./deidentification/gate";
import { loadPublishedResources } from "./datastore/loading";
import { Dataset } from "./entities";

export enum InventoryState {
  INVENTORIED = "INVENTORIED",
  PLANNED = "PLANNED",
  PUBLISHED = "PUBLISHED",
}
export enum Openness {
  UNDECIDED = "UNDECIDED",
  OPENABLE = "OPENABLE",
  NOT_OPENABLE = "NOT_OPENABLE",
}
registerEnumType(InventoryState, { name: "InventoryState" });
registerEnumType(Openness, { name: "Openness" });

/** The advisory panel's resolution, as the catalogue refers to it (the advisory subgraph resolves it). */
@ObjectType("PanelResolution")
@Directive('@key(fields: "id", resolvable: false)')
export class PanelResolutionRef {
  @Field(() => ID)
  id!: string;
}

@ObjectType({ description: "A data holding of an agency in its inventory (盤點); for the agency, the ministry and the advisory panel." })
@Directive('@key(fields: "agencyCode id")')
@Directive('@shardKey(field: "agencyCode")')
@Entity({ tableName: "inventory_item" })
export class InventoryItem {
  [OptionalProps]?: "state" | "openness" | "holdsPersonalData" | "views" | "downloads" | "requests" | "priorityRank" | "usageScore";

  @Field(() => ID)
  @PrimaryKey({ type: "uuid" })
  id: string = newId();

  @Field(() => ID)
  @Property({ type: "text" })
  agencyCode!: string;

  @Field()
  @Property({ type: "text" })
  title!: string;

  @Field()
  @Property({ type: "text" })
  description!: string;

  @Field(() => InventoryState)
  @Enum({ items: () => InventoryState, type: "text" })
  state: InventoryState = InventoryState.INVENTORIED;

  @Field(() => Openness)
  @Enum({ items: () => Openness, type: "text" })
  openness: Openness = Openness.UNDECIDED;

  @Field(() => PriorityBasis, { nullable: true })
  @Enum({ items: () => PriorityBasis, type: "text", nullable: true })
  priorityBasis?: PriorityBasis;

  @Field(() => String, { nullable: true, description: "The law that requires, or forbids, opening it." })
  @Property({ type: "text", nullable: true })
  legalBasis?: string;

  @Field(() => CalendarDate, { nullable: true })
  @Property({ type: "string", columnType: "date", nullable: true })
  plannedOpeningOn?: string;

  @Field()
  @Property({ type: "boolean" })
  holdsPersonalData: boolean = false;

  @Field(() => String, { nullable: true, description: "How personal data was de-identified; required before publishing it." })
  @Property({ type: "text", nullable: true })
  deIdentification?: string;

  @Field(() => ID, { nullable: true, description: "The dataset it was published as." })
  @Property({ type: "uuid", nullable: true })
  datasetId?: string;

  @Field(() => Int)
  @Property({ type: "integer" })
  views: number = 0;

  @Field(() => Int)
  @Property({ type: "integer" })
  downloads: number = 0;

  @Field(() => Int, { description: "Requests for it (我想要更多 and applications)." })
  @Property({ type: "integer" })
  requests: number = 0;

  /** See inventoryRank. */
  @Field(() => Int, { description: "0 required by law, 1 statutory duty, 2 public demand, 3 undecided, 4 not openable." })
  @Property({ type: "integer" })
  priorityRank: number = 3;

  @Property({ type: "double" })
  usageScore: number = 0;

  /** The advisory panel's resolution the openness decision rests on (strategy 3), when the panel was consulted. */
  @Property({ type: "uuid", nullable: true })
  panelResolutionId?: string;
}

/**
 * Why a decision cannot be taken on an item, or null. A priority basis and a
 * planned day belong to an openable holding only: on another, they would
 * rank and count it as one.
 */
export function decisionProblem(
  item: { state: InventoryState },
  decision: { openness: Openness; priorityBasis?: PriorityBasis | null; legalBasis?: string | null; plannedOpeningOn?: string | null },
): FieldProblem | null {
  if (item.state === InventoryState.PUBLISHED) return { path: "input.openness", reason: "the holding is already published" };
  if (decision.openness === Openness.OPENABLE) {
    if (!decision.priorityBasis) return { path: "input.priorityBasis", reason: "an openable holding needs the basis of its priority" };
    if (!decision.plannedOpeningOn) return { path: "input.plannedOpeningOn", reason: "an openable holding needs a planned opening day" };
    const day = beforeRocCalendarProblem(decision.plannedOpeningOn);
    return day ? { path: "input.plannedOpeningOn", reason: day } : null;
  }
  if (decision.priorityBasis) return { path: "input.priorityBasis", reason: `a holding ${decision.openness} has no priority basis: leave it out, or decide it OPENABLE` };
  if (decision.plannedOpeningOn) return { path: "input.plannedOpeningOn", reason: `a holding ${decision.openness} has no planned opening day: leave it out, or decide it OPENABLE` };
  if (decision.openness === Openness.NOT_OPENABLE && !decision.legalBasis?.trim()) return { path: "input.legalBasis", reason: "a holding that cannot be opened needs its legal basis" };
  return null;
}

/** That an item is published, naming the dataset it became when known (its national identifier). */
const alreadyPublished = (publishedAs: string | null) => `it is already published${publishedAs ? `, as dataset ${publishedAs}` : ""}`;

/** Why an item's de-identification cannot be recorded, or null: once published, the method its publication was approved on stands. */
export function deIdentificationProblem(item: { state: InventoryState }, publishedAs: string | null): string | null {
  if (item.state !== InventoryState.PUBLISHED) return null;
  return `${alreadyPublished(publishedAs)}, approved on the de-identification recorded then, which stands`;
}

/** Why an item cannot be published, or null: once only, planned, and personal data de-identified first. */
export function publishProblem(item: { state: InventoryState; holdsPersonalData: boolean; deIdentification?: string | null }, publishedAs: string | null): string | null {
  if (item.state === InventoryState.PUBLISHED) return alreadyPublished(publishedAs);
  if (item.state !== InventoryState.PLANNED) return `it is ${item.state}: decide it openable and plan it first`;
  if (item.holdsPersonalData && !item.deIdentification) return "it holds personal data: record its de-identification first";
  return null;
}

const BASIS_RANK: Record<PriorityBasis, number> = { REQUIRED_BY_LAW: 0, STATUTORY_DUTY: 1, PUBLIC_DEMAND: 2 };

/**
 * Where a holding stands in the opening order: openable ones first by basis
 * (law, duty, demand), then undecided, then not openable; within a rank, the
 * most used first (a request weighs ten downloads, a download ten views).
 * Stored with the item, so the inventory pages by keyset.
 */
export function inventoryRank(item: { openness: Openness; priorityBasis?: PriorityBasis | null; views: number; downloads: number; requests: number }) {
  const priorityRank =
    item.openness === Openness.OPENABLE && item.priorityBasis ? BASIS_RANK[item.priorityBasis] : item.openness === Openness.UNDECIDED ? 3 : 4;
  return { priorityRank, usageScore: item.requests * 10 + item.downloads + item.views / 10 };
}

@ObjectType()
class InventoryStateCount {
  @Field(() => InventoryState)
  state!: InventoryState;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "Openable holdings with one priority basis: planned, and already published." })
class InventoryBasisCount {
  @Field(() => PriorityBasis)
  basis!: PriorityBasis;

  @Field(() => Int)
  planned!: number;

  @Field(() => Int)
  published!: number;
}

@ObjectType({ description: "An agency's inventory in counts: the evidence the advisory panel reviews (strategy 4)." })
export class InventorySummary {
  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: "Decided not openable, with the legal basis." })
  notOpenable!: number;

  @Field(() => Int)
  undecided!: number;

  @Field(() => [InventoryStateCount], { description: "Every state, in lifecycle order." })
  byState!: InventoryStateCount[];

  @Field(() => [InventoryBasisCount], { description: "Every priority basis, in opening order." })
  byBasis!: InventoryBasisCount[];
}

/** Counts by state and basis from grouped rows (state, openness, basis, count); every state and basis is listed, zero when none. */
export function inventorySummary(groups: readonly { state: InventoryState; openness: Openness; basis: PriorityBasis | null; count: number }[]): InventorySummary {
  const sum = (keep: (group: (typeof groups)[number]) => boolean) => groups.filter(keep).reduce((total, group) => total + group.count, 0);
  return {
    total: sum(() => true),
    notOpenable: sum((g) => g.openness === Openness.NOT_OPENABLE),
    undecided: sum((g) => g.openness === Openness.UNDECIDED),
    byState: Object.values(InventoryState).map((state) => ({ state, count: sum((g) => g.state === state) })),
    byBasis: (Object.keys(BASIS_RANK) as PriorityBasis[]).map((basis) => ({
      basis,
      planned: sum((g) => g.basis === basis && g.state === InventoryState.PLANNED),
      published: sum((g) => g.basis === basis && g.state === InventoryState.PUBLISHED),
    })),
  };
}

@InputType()
class AddInventoryItemInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field()
  @TextLength(1, 255)
  title!: string;

  @Field()
  @TextLength(1, 5000)
  description!: string;

  @Field({ defaultValue: false })
  holdsPersonalData!: boolean;
}

@InputType()
class DecideOpennessInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("an inventory item")
  itemId!: string;

  @Field(() => Openness)
  openness!: Openness;

  @Field(() => PriorityBasis, { nullable: true })
  priorityBasis?: PriorityBasis;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @TextLength(1, 1000)
  legalBasis?: string;

  @Field(() => CalendarDate, { nullable: true })
  plannedOpeningOn?: string;

  @Field(() => ID, { nullable: true, description: "The advisory panel's resolution this decision follows, when the panel was consulted on it." })
  @IsOptional()
  @EntityId("a panel resolution")
  panelResolutionId?: string;
}

@InputType()
class RecordDeIdentificationInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("an inventory item")
  itemId!: string;

  @Field({ description: "How, e.g. k-anonymity (k=5) on age and district; names removed." })
  @TextLength(1, 2000)
  method!: string;
}

@InputType()
class RecordInventoryUsageInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("an inventory item")
  itemId!: string;

  @Field(() => Int)
  @Min(0)
  views!: number;

  @Field(() => Int)
  @Min(0)
  downloads!: number;

  @Field(() => Int)
  @Min(0)
  requests!: number;
}

@InputType()
class PublishInventoryItemInput {
  @Field(() => ID)
  agencyCode!: string;

  @Field(() => ID)
  @EntityId("an inventory item")
  itemId!: string;

  @Field(() => RegisterDatasetInput, { description: "The dataset it becomes (its agencyCode must be this agency's)." })
  @ValidateNested()
  dataset!: RegisterDatasetInput;
}

@ObjectType()
class InventoryItemPayload {
  @Field(() => InventoryItem)
  item!: InventoryItem;
}

async function lockedItem(context: CatalogueContext, agencyCode: string, itemId: string, action: string, run: (item: InventoryItem, tx: CatalogueContext["em"]) => Promise<void> | void) {
  requireAgencyWriter(context.viewer, agencyCode, action);
  return context.em.transactional(async (tx) => {
    const item = await tx.findOne(InventoryItem, { id: itemId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!item) throw notFound(`Inventory item ${itemId} of ${agencyCode}`);
    await run(item, tx);
    return { item };
  });
}

/** The national identifier of the dataset `item` was published as, for messages; null before it is published. */
async function publishedIdentifier(tx: EntityManager, item: InventoryItem): Promise<string | null> {
  if (!item.datasetId) return null;
  return (await tx.findOne(Dataset, { id: item.datasetId }, { fields: ["identifier"] }))?.identifier ?? null;
}

export const InventoryConnection = ConnectionType(InventoryItem, "InventoryItem");

/** The opening order (inventoryRank), ties broken by id so the order is total. */
export const INVENTORY_ORDER: SortOrder<InventoryItem> = {
  name: "OPENING_ORDER",
  keys: [
    { property: "priorityRank", direction: "asc" },
    { property: "usageScore", direction: "desc" },
    { property: "id", direction: "asc" },
  ],
};

/**
 * The inventory's events, one function each, as the mutations append them
 * and the seed replays them: the metrics projection counts planned and
 * opened holdings from these alone.
 */
export const inventoryEvents = {
  added: (em: EntityManager, item: InventoryItem) => appendAgencyEvent(em, "InventoryItemAdded", item.id, aboutSubject(item)),
  opennessDecided: (em: EntityManager, item: InventoryItem) =>
    appendAgencyEvent(em, "OpennessDecided", item.id, {
      ...aboutSubject(item),
      openness: item.openness,
      priorityBasis: item.priorityBasis ?? null,
      panelResolutionId: item.panelResolutionId ?? null,
    }),
  published: (em: EntityManager, item: InventoryItem) =>
    appendAgencyEvent(em, "InventoryItemPublished", item.id, { ...aboutSubject(item), datasetId: item.datasetId, priorityBasis: item.priorityBasis ?? null }),
};

@Resolver(() => InventoryItem)
export class InventoryResolver {
  @FieldResolver(() => PanelResolutionRef, { nullable: true, description: "The advisory panel's resolution the openness decision rests on, from the advisory subgraph." })
  panelResolution(@Root() item: InventoryItem): PanelResolutionRef | null {
    return item.panelResolutionId ? { id: item.panelResolutionId } : null;
  }

  @Mutation(() => InventoryItemPayload, { description: "Agency staff add a data holding to their inventory." })
  @ShardBy("input.agencyCode")
  addInventoryItem(@Arg("input") input: AddInventoryItemInput, @Ctx() { em, viewer }: CatalogueContext): Promise<InventoryItemPayload> {
    requireAgencyWriter(viewer, input.agencyCode, "add inventory items");
    return em.transactional(async (tx) => {
      const item = tx.create(InventoryItem, { ...input, ...inventoryRank({ openness: Openness.UNDECIDED, views: 0, downloads: 0, requests: 0 }) });
      tx.persist(item);
      inventoryEvents.added(tx, item);
      return { item };
    });
  }

  @Mutation(() => InventoryItemPayload, { description: "Decide whether a holding can be opened: with the basis of its priority and a planned day, or the legal basis that forbids it." })
  @ShardBy("input.agencyCode")
  decideOpenness(@Arg("input") input: DecideOpennessInput, @Ctx() context: CatalogueContext): Promise<InventoryItemPayload> {
    return lockedItem(context, input.agencyCode, input.itemId, "decide openness", (item, tx) => {
      const problem = decisionProblem(item, input);
      if (problem) throw badUserInput([problem]);
      tx.assign(item, {
        openness: input.openness,
        priorityBasis: input.priorityBasis ?? null,
        legalBasis: input.legalBasis ?? null,
        plannedOpeningOn: input.plannedOpeningOn ?? null,
        state: input.openness === Openness.OPENABLE ? InventoryState.PLANNED : InventoryState.INVENTORIED,
        panelResolutionId: input.panelResolutionId ?? null,
      });
      tx.assign(item, inventoryRank(item));
      inventoryEvents.opennessDecided(tx, item);
    });
  }

  @Mutation(() => InventoryItemPayload, { description: "Record how a holding's personal data was de-identified." })
  @ShardBy("input.agencyCode")
  recordDeIdentification(@Arg("input") input: RecordDeIdentificationInput, @Ctx() context: CatalogueContext): Promise<InventoryItemPayload> {
    return lockedItem(context, input.agencyCode, input.itemId, "record de-identification", async (item, tx) => {
      const problem = deIdentificationProblem(item, await publishedIdentifier(tx, item));
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot record the de-identification of "${item.title}": ${problem}.`);
      tx.assign(item, { deIdentification: input.method });
      appendAgencyEvent(tx, "DeIdentificationRecorded", item.id, aboutSubject(item));
    });
  }

  @Mutation(() => InventoryItemPayload, { description: "Record a holding's usage (views, downloads, requests), which ranks the inventory." })
  @ShardBy("input.agencyCode")
  recordInventoryUsage(@Arg("input") input: RecordInventoryUsageInput, @Ctx() context: CatalogueContext): Promise<InventoryItemPayload> {
    return lockedItem(context, input.agencyCode, input.itemId, "record usage", (item, tx) => {
      tx.assign(item, { views: input.views, downloads: input.downloads, requests: input.requests });
      tx.assign(item, inventoryRank(item));
    });
  }

  @Mutation(() => InventoryItemPayload, { description: "Publish a planned holding as a dataset; personal data only once de-identified." })
  @ShardBy("input.agencyCode")
  async publishInventoryItem(@Arg("input") input: PublishInventoryItemInput, @Ctx() context: CatalogueContext): Promise<InventoryItemPayload> {
    if (input.dataset.agencyCode !== input.agencyCode) throw badUserInput([{ path: "input.dataset.agencyCode", reason: "must be the inventory's agency" }]);
    requireAgencyWriter(context.viewer, input.agencyCode, "publish datasets");
    const spelled = inPlatformSpelling(input.dataset);
    const scans = await scanResources(spelled.resources, context.settings.scan);
    let published: Dataset | undefined;
    const payload = await lockedItem(context, input.agencyCode, input.itemId, "publish datasets", async (item, tx) => {
      const problem = publishProblem(item, await publishedIdentifier(tx, item));
      if (problem) throw govError(ErrorCode.CONFLICT, `Cannot publish "${item.title}": ${problem}.`);
      published = await publishDataset(tx, spelled, "input.dataset", scans);
      tx.assign(item, { state: InventoryState.PUBLISHED, datasetId: published.id });
      inventoryEvents.published(tx, item);
    });
    loadPublishedResources(context.em, published!.resources.getItems(), published!.id, context.settings.scan, context.log);
    return payload;
  }
}
