/**
 * An agency subgraph's event subscription (catalogueEvents, feedbackEvents):
 * its GraphQL type and the subscription field that streams this shard's
 * outbox (outbox-feed.ts) to the gateway, which fans the shards in.
 */
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Directive, Field, ID, Int, ObjectType, Resolver, Root, Subscription } from "type-graphql";
import { badUserInput } from "../../contract/errors";
import { eventKindsFor, mayReceiveEvent } from "../../contract/visibility";
import { MOST_RECENT_EVENTS, POSITION_MARKER, recentEventsProblems } from "../../contract/shard-directives";
import type { OutboxRow } from "./outbox-feed";
import { isRequested } from "./shard";
import type { SubgraphContext } from "./subgraph";

/** Declares a subgraph's event type (e.g. CatalogueEvent). */
function OutboxEventType(name: string, description: string) {
  @ObjectType(name, { description })
  class EventType implements OutboxRow {
    @Field({ description: "Resume cursor: pass it as `after` to receive what follows this event." })
    cursor!: string;

    @Field({ description: "The event's position in its shard's stream: strictly increasing in the order the shard's events become final, per agency." })
    seq!: string;

    @Field(() => ID, { nullable: true, description: `The agency whose shard recorded the event; null on a ${POSITION_MARKER} marker.` })
    agencyCode!: string | null;

    @Field({
      description: `What happened, e.g. DatasetPublished. ${POSITION_MARKER} is the stream's first message: where it starts; only its cursor means anything (keep it to resume).`,
    })
    type!: string;

    @Field(() => ID)
    subjectId!: string;

    @Field(() => Date)
    occurredAt!: Date;

    @Field(() => GraphQLJSONObject, {
      description:
        "What the event tells: always agencyCode and title (the title of the dataset, comment, request or inventory item it is about; " +
        "an exempted file's address), then what its kind tells, e.g. a QualityChecked's level. Empty on a " +
        `${POSITION_MARKER} marker.`,
    })
    payload!: Record<string, unknown>;
  }
  return EventType;
}

/** The stream of a shard that was not asked for: it ends at once. */
async function* noEvents(): AsyncGenerator<OutboxRow> {}

export interface EventSubscriptionOptions {
  /** The subscription field, e.g. catalogueEvents. */
  field: string;
  /** Its event type, e.g. CatalogueEvent, and what it describes. */
  typeName: string;
  typeDescription: string;
}

/**
 * Declares an agency subgraph's event subscription: `<field>(agencyCodes, after, recent)`,
 * fanned in by the gateway (STREAM), reading this shard's outbox after `after`,
 * or from its latest `recent` events (a page opened shows what just happened).
 * A viewer receives, live and in replays alike, only the event kinds that
 * contract/visibility.ts lets them see.
 */
export function EventSubscription({ field, typeName, typeDescription }: EventSubscriptionOptions) {
  const EventType = OutboxEventType(typeName, typeDescription);

  @Resolver()
  class EventSubscriptionResolver {
    @Subscription(() => EventType, {
      name: field,
      description:
        `${typeDescription} Live, from every agency or those named; pass the cursor of the last event received as \`after\` to resume without a gap, ` +
        "or, to begin with what just happened, `recent`: that many of each agency's latest events you may see.",
      subscribe: ({ args, context }) => {
        const { em, events, instance, viewer } = context as SubgraphContext;
        // Checked here, where a subscription is refused: its resolver's arguments are read with each event.
        const problems = recentEventsProblems(args.recent);
        if (problems.length > 0) throw badUserInput(problems);
        const recent = (args.recent as number | null | undefined) ?? 0;
        if (!isRequested(instance, args.agencyCodes as string[] | undefined)) return noEvents();
        const after = (args.after as string | null | undefined) ?? null;
        const agencyCode = instance.agencyCode!;
        // The latest events the viewer may receive: counted among every kind, a public subscriber opened with fewer, or none after a run of insiders' events.
        const latest = after === null ? { count: recent, kinds: eventKindsFor(viewer, agencyCode) } : undefined;
        return events.stream(em, after, (row) => mayReceiveEvent(viewer, { type: row.type, agencyCode }), latest);
      },
    })
    @Directive('@shardFanOut(merge: "STREAM", subset: "agencyCodes")')
    event(
      @Root() event: OutboxRow,
      @Arg("agencyCodes", () => [ID], { nullable: true }) _agencyCodes?: string[],
      @Arg("after", () => String, { nullable: true }) _after?: string,
      @Arg("recent", () => Int, { nullable: true, description: `Without \`after\`: begin with this many (at most ${MOST_RECENT_EVENTS}) of each agency's latest events you may see, then go on live.` })
      _recent?: number,
    ): OutboxRow {
      return event;
    }
  }
  return EventSubscriptionResolver;
}

