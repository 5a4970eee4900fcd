/**
 * The projection's rules as plain functions over data: what each shard event
 * does to the facts metrics keeps about one dataset, inventory item or
 * comment, and what each fact contributes to the figures. Applying an event
 * is "new fact, then the difference of contributions", so an event seen twice
 * (same fact after it) changes no figure, and a fact corrected later (an
 * issued day updated) moves its count from one day to the other.
 */

/** One event of one shard's outbox, as its subscription delivers it. */
export interface ShardEvent {
  subgraph: string;
  agencyCode: string;
  seq: string;
  type: string;
  subjectId: string;
  payload: Record<string, unknown>;
}

export interface DatasetFact {
  issued: string | null;
  retiredOn: string | null;
  /** The latest quality badge, null before the first check. */
  badge: string | null;
  structuredResources: number;
  structuredResourcesPassing: number;
}

export interface InventoryFact {
  openness: string | null;
  priorityBasis: string | null;
  published: boolean;
}

export interface FeedbackFact {
  receivedAt: string;
  replyDueAt: string;
  answeredAt: string | null;
}

/** What a fact adds to one figure: on a day (openings, retirements), or to the count as it stands now (day null). */
export interface Contribution {
  figure: string;
  day: string | null;
  amount: number;
}

export const FIGURE = {
  OPENED: "opened",
  RETIRED: "retired",
  STRUCTURED: "structuredResources",
  STRUCTURED_PASSING: "structuredResourcesPassing",
  badge: (level: string) => `badge:${level}`,
  planned: (basis: string) => `inventoryPlanned:${basis}`,
  inventoryOpened: (basis: string) => `inventoryOpened:${basis}`,
} as const;

/** Inventory items opened without a recorded basis still count, under this name. */
export const NO_BASIS = "NONE";

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

/** A resource passes when every indicator the check could judge holds; it is structured when its format is. */
function resourceCounts(resources: unknown): { structured: number; passing: number } {
  let structured = 0;
  let passing = 0;
  for (const indicators of Array.isArray(resources) ? (resources as Record<string, boolean | null>[]) : []) {
    if (indicators.structuredFormat !== true) continue;
    structured += 1;
    if (Object.values(indicators).every((value) => value !== false)) passing += 1;
  }
  return { structured, passing };
}

const EMPTY_DATASET: DatasetFact = { issued: null, retiredOn: null, badge: null, structuredResources: 0, structuredResourcesPassing: 0 };

/** The dataset after a catalogue event; undefined when the event says nothing about datasets. */
export function nextDatasetFact(fact: DatasetFact | null, event: Pick<ShardEvent, "type" | "payload">): DatasetFact | undefined {
  const base = fact ?? EMPTY_DATASET;
  const { payload } = event;
  switch (event.type) {
    case "DatasetPublished":
    case "DatasetUpdated":
      return { ...base, issued: text(payload.issued) ?? base.issued };
    case "DatasetRetired":
      return { ...base, issued: text(payload.issued) ?? base.issued, retiredOn: text(payload.retiredOn) };
    case "QualityChecked": {
      const { structured, passing } = resourceCounts(payload.resources);
      return { ...base, badge: text(payload.level), structuredResources: structured, structuredResourcesPassing: passing };
    }
    default:
      return undefined;
  }
}

/** The inventory item after a catalogue event; undefined when the event says nothing about the inventory. */
export function nextInventoryFact(fact: InventoryFact | null, event: Pick<ShardEvent, "type" | "payload">): InventoryFact | undefined {
  const base = fact ?? { openness: null, priorityBasis: null, published: false };
  switch (event.type) {
    case "OpennessDecided":
      return { ...base, openness: text(event.payload.openness), priorityBasis: text(event.payload.priorityBasis) };
    case "InventoryItemPublished":
      return { ...base, openness: "OPENABLE", priorityBasis: text(event.payload.priorityBasis) ?? base.priorityBasis, published: true };
    default:
      return undefined;
  }
}

/** The comment after a feedback event: every workflow event carries the comment's deadline facts after the step. */
export function nextFeedbackFact(fact: FeedbackFact | null, event: Pick<ShardEvent, "type" | "payload">): FeedbackFact | undefined {
  const receivedAt = text(event.payload.receivedAt) ?? fact?.receivedAt;
  const replyDueAt = text(event.payload.replyDueAt) ?? fact?.replyDueAt;
  if (!receivedAt || !replyDueAt || !("answeredAt" in event.payload || event.type === "FeedbackReceived")) return undefined;
  return { receivedAt, replyDueAt, answeredAt: text(event.payload.answeredAt) };
}

export function datasetContributions(fact: DatasetFact | null): Contribution[] {
  if (!fact?.issued) return [];
  const contributions: Contribution[] = [{ figure: FIGURE.OPENED, day: fact.issued, amount: 1 }];
  if (fact.retiredOn) return [...contributions, { figure: FIGURE.RETIRED, day: fact.retiredOn, amount: 1 }];
  // Badges and structured resources describe what is on the platform now.
  if (fact.badge) contributions.push({ figure: FIGURE.badge(fact.badge), day: null, amount: 1 });
  contributions.push({ figure: FIGURE.STRUCTURED, day: null, amount: fact.structuredResources });
  contributions.push({ figure: FIGURE.STRUCTURED_PASSING, day: null, amount: fact.structuredResourcesPassing });
  return contributions;
}

export function inventoryContributions(fact: InventoryFact | null): Contribution[] {
  if (fact?.openness !== "OPENABLE") return [];
  const basis = fact.priorityBasis ?? NO_BASIS;
  const planned: Contribution = { figure: FIGURE.planned(basis), day: null, amount: 1 };
  return fact.published ? [planned, { figure: FIGURE.inventoryOpened(basis), day: null, amount: 1 }] : [planned];
}

const keyOf = (c: { figure: string; day: string | null }) => `${c.figure}\u0000${c.day ?? ""}`;

/** What changes in the figures when a fact goes from `before` to `after` (zero amounts left out). */
export function contributionDelta(before: Contribution[], after: Contribution[]): Contribution[] {
  const delta = new Map<string, Contribution>();
  const add = (c: Contribution, sign: number) => {
    const key = keyOf(c);
    const entry = delta.get(key) ?? { figure: c.figure, day: c.day, amount: 0 };
    entry.amount += sign * c.amount;
    delta.set(key, entry);
  };
  before.forEach((c) => add(c, -1));
  after.forEach((c) => add(c, 1));
  return [...delta.values()].filter((c) => c.amount !== 0);
}

/** Sums deltas of many facts into one change per figure and day. */
export function mergeDeltas(deltas: Iterable<Contribution>): Contribution[] {
  return contributionDelta([], [...deltas]);
}

/** Runs each subject's events over its stored fact; returns the facts that changed and the last event that changed one. */
export function fold<F>(
  stored: Map<string, F>,
  events: readonly ShardEvent[],
  next: (fact: F | null, event: ShardEvent) => F | undefined,
): { changed: Map<string, { before: F | null; after: F }>; last: ShardEvent | null } {
  const changed = new Map<string, { before: F | null; after: F }>();
  let last: ShardEvent | null = null;
  for (const event of events) {
    const current = changed.get(event.subjectId)?.after ?? stored.get(event.subjectId) ?? null;
    const after = next(current, event);
    if (after === undefined || JSON.stringify(after) === JSON.stringify(current)) continue;
    changed.set(event.subjectId, { before: changed.get(event.subjectId)?.before ?? stored.get(event.subjectId) ?? null, after });
    last = event;
  }
  return { changed, last };
}
