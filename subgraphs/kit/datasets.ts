/**
 * What the catalogue's dataset listings and metrics' index of them
 * (subgraphs/metrics/dataset-index.ts) must say alike: the lifecycle states,
 * the orders (the same keys, so the index orders exactly as the merged
 * fan-out does), and who sees which state. Declared and registered once, so
 * both subgraphs' schemas carry the same enums.
 */
import { IsOptional } from "class-validator";
import { ArgsType, Field, ID, Int, registerEnumType } from "type-graphql";
import { TextLength } from "./validation";
import { isInsider } from "../../contract/authorization";
import type { Viewer } from "../../contract/claims";
import type { SortOrder } from "../../contract/cursor";
import { BadgeLevelEnum, type BadgeLevel } from "./vocabulary";

/** A dataset is published, then may be retired; what comes before publishing is the inventory's (InventoryState). */
export enum LifecycleState {
  PUBLISHED = "PUBLISHED",
  RETIRED = "RETIRED",
}
registerEnumType(LifecycleState, {
  name: "LifecycleState",
  description: "published → retired (with date and reason). A holding's path to publication is its inventory state (InventoryState).",
});

export enum DatasetOrder {
  PUBLISHED_DESC = "PUBLISHED_DESC",
  PUBLISHED_ASC = "PUBLISHED_ASC",
  TITLE_ASC = "TITLE_ASC",
  MODIFIED_DESC = "MODIFIED_DESC",
}
registerEnumType(DatasetOrder, { name: "DatasetOrder", description: "Dataset orders; ties are broken by the national identifier." });

/** What an ordered dataset row has (the catalogue's Dataset, the index's row). */
export interface Listed {
  identifier: string;
  title: string;
  issued: string;
  modified: Date;
}

/**
 * The sort keys of each order, then `tiebreak` (the index adds the agency code: identifiers are unique per shard,
 * and nationally by the metadata standard, but the index's keyset must be total whatever a shard holds).
 */
export function datasetOrders<T extends Listed>(tiebreak: SortOrder<T>["keys"] = []): Record<DatasetOrder, SortOrder<T>> {
  const order = (name: DatasetOrder, first: SortOrder<T>["keys"][number]): SortOrder<T> => ({
    name,
    keys: [first, { property: "identifier", direction: "asc" }, ...tiebreak],
  });
  return {
    PUBLISHED_DESC: order(DatasetOrder.PUBLISHED_DESC, { property: "issued", direction: "desc" }),
    PUBLISHED_ASC: order(DatasetOrder.PUBLISHED_ASC, { property: "issued", direction: "asc" }),
    TITLE_ASC: order(DatasetOrder.TITLE_ASC, { property: "title", direction: "asc" }),
    MODIFIED_DESC: order(DatasetOrder.MODIFIED_DESC, { property: "modified", direction: "desc" }),
  };
}

/** The arguments of every dataset listing: an agency's page, the merged fan-out, the index. */
@ArgsType()
export class DatasetPageArgs {
  @Field(() => Int, { defaultValue: 20, description: "At most 100." })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string;

  @Field(() => DatasetOrder, { defaultValue: DatasetOrder.PUBLISHED_DESC })
  orderBy!: DatasetOrder;

  @Field(() => LifecycleState, { nullable: true, description: "Only datasets in this state." })
  state?: LifecycleState;

  @Field(() => String, { nullable: true, description: "Only datasets whose title or description contains this text (Chinese or not)." })
  @IsOptional()
  @TextLength(1, 100)
  search?: string;

  @Field(() => String, { nullable: true, description: "Only this service category (服務分類)." })
  category?: string;

  @Field(() => String, { nullable: true, description: "Only datasets with a resource in this format, e.g. CSV, in any common spelling (csv, .CSV, ＣＳＶ)." })
  format?: string;

  @Field(() => BadgeLevelEnum, { nullable: true, description: "Only datasets whose latest quality check earned this badge." })
  badge?: BadgeLevel;
}

@ArgsType()
export class DatasetListArgs extends DatasetPageArgs {
  @Field(() => [ID], { nullable: true, description: "Only these agencies' datasets (default: every agency)." })
  agencyCodes?: string[];
}

/** The public reads published datasets only; an agency's own staff and the ministry see every state. */
export function visibleStates(viewer: Viewer, agencyCode: string): LifecycleState[] | null {
  return isInsider(viewer, agencyCode) ? null : [LifecycleState.PUBLISHED];
}

export function isVisible(viewer: Viewer, dataset: { agencyCode: string; lifecycleState: LifecycleState }): boolean {
  const states = visibleStates(viewer, dataset.agencyCode);
  return !states || states.includes(dataset.lifecycleState);
}
