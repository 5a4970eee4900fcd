/**
 * An agency subgraph's event subscription (catalogueEvents, feedbackEvents):
 * its GraphQL type and the subscription field that streams this shard's
 * outbox (outbox-feed.ts) to the gateway, which fans the shards in.
 */
import { GraphQLJSONObject } from "graphql-scalars";
import { Arg, Directive, Field, ID, ObjectType, Resolver, Root, Subscription } from "type-graphql";
import { mayReceiveEvent } from "../../contract/visibility";
import { POSITION_MARKER } from "../../contract/shard-directives";
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

    @Field(() => GraphQLJSONObject)
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
 * Declares an agency subgraph's event subscription: `<field>(agencyCodes, after)`,
 * fanned in by the gateway (STREAM), reading this shard's outbox after `after`.
 * A viewer receives, live and in replays alike, only the event kinds that
 * contract/visibility.ts lets them see.
 */
export function EventSubscription({ field, typeName, typeDescription }: EventSubscriptionOptions) {
  const EventType = OutboxEventType(typeName, typeDescription);

  @Resolver()
  class EventSubscriptionResolver {
    @Subscription(() => EventType, {
      name: field,
      description: `${typeDescription} Live, from every agency or those named; pass the cursor of the last event received as \`after\` to resume without a gap.`,
      subscribe: ({ args, context }) => {
        const { em, events, instance, viewer } = context as SubgraphContext;
        if (!isRequested(instance, args.agencyCodes as string[] | undefined)) return noEvents();
        return events.stream(em, args.after ?? null, (row) => mayReceiveEvent(viewer, { type: row.type, agencyCode: instance.agencyCode! }));
      },
    })
    @Directive('@shardFanOut(merge: "STREAM", subset: "agencyCodes")')
    event(
      @Root() event: OutboxRow,
      @Arg("agencyCodes", () => [ID], { nullable: true }) _agencyCodes?: string[],
      @Arg("after", () => String, { nullable: true }) _after?: string,
    ): OutboxRow {
      return event;
    }
  }
  return EventSubscriptionResolver;
}

