/**
 * Multiplexed event streams: the gateway keeps ONE upstream subscription per
 * shard and event field (catalogueEvents, feedbackEvents), opened as the
 * gateway itself (a system subject that sees every event kind), and shares
 * it among all its subscribers. Each subscriber gets the events its viewer
 * may receive (contract/visibility.ts, the rule the shards apply), shaped
 * as its own selection asked.
 *
 * To the fan-in (stream.ts) a subscriber's part looks exactly like a shard
 * stream: a STREAM_POSITION marker, then the events after it, in order.
 * Where they come from:
 * - no cursor: the shared stream's current position, then live events;
 * - no cursor and `recent`: the position before the `recent` latest events
 *   the subscriber's viewer may receive (from the window when it holds that
 *   many, else as the shard says to a replay opened as that viewer, then
 *   closed), then every event after it, as from a cursor;
 * - a cursor the in-memory window covers (the last `window` events): the
 *   window after it, then live events, handed over in one step;
 * - an older cursor: a replay from the shard (an upstream of its own), until
 *   it reaches what the window covers, then the window and live events.
 * Nothing is lost or doubled: the window holds every event after `base`
 * without a gap, and the shared upstream resumes after its last event when
 * it reconnects. A subscriber with more than BACKLOG events waiting is
 * failed; the fan-in reconnects it from its last position.
 *
 * When the shared upstream fails, its subscribers' parts fail with it (the
 * fan-in tells each subscriber and reopens with backoff, which reconnects
 * the upstream after its last event, the window kept); LINGER_MS after its
 * last subscriber leaves, it closes.
 */
import type { ExecutionRequest, ExecutionResult } from "@graphql-tools/utils";
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  parse,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { ANONYMOUS, Role, SYSTEM_SUBJECTS, type Viewer } from "../../contract/claims";
import type { Logger } from "../../contract/logger";
import { POSITION_MARKER } from "../../contract/shard-directives";
import { mayReceiveEvent } from "../../contract/visibility";
import { fragmentsOf, type Fragments } from "../operation-document";
import type { Json } from "./merge";

/** Opens one subscription on one shard as `viewer` (ws-stream.ts). */
export type ViewerStreamOpener = (url: string, document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer) => AsyncIterable<ExecutionResult>;

/** The gateway's own viewer upstream: the ministry's role, which every event kind's audience includes. */
const HUB_VIEWER: Viewer = Object.freeze({ sub: SYSTEM_SUBJECTS.EVENT_HUB, role: Role.MINISTRY_ADMIN });

/** An event as the shard sends it, with every field of the kit's event type (subgraphs/kit/events.ts). */
interface FullEvent {
  [field: string]: Json;
  cursor: string;
  seq: string;
  agencyCode: string | null;
  type: string;
}

const upstreamDocument = (field: string) =>
  parse(`subscription($after: String, $recent: Int) { event: ${field}(after: $after, recent: $recent) { __typename cursor seq agencyCode type subjectId occurredAt payload } }`);

/** Where a replay from the shard starts: after a position, or before its `recent` latest events. */
type ReplayFrom = { after: string } | { recent: number };

/** How long a shared stream stays open with no subscriber: one that resubscribes (or all of them, after a failure) finds its window. */
export const LINGER_MS = 5000;

/** Events one subscriber may have waiting (its socket slower than the shard) before it is failed and resumes from its position. */
const BACKLOG = 10_000;

const isAfter = (position: string, than: string) => BigInt(position) > BigInt(than);

/** The event a shard's message carries; a message without one fails the stream with the shard's errors. */
function eventOf(message: ExecutionResult): FullEvent {
  const event = (message.data as { event?: FullEvent } | null | undefined)?.event;
  if (!event) throw new Error(message.errors?.map((error) => error.message).join("; ") ?? "an empty message");
  return event;
}

export interface EventHubOptions {
  open: ViewerStreamOpener;
  /** Events kept in memory per shard stream for subscribers resuming with a cursor. */
  window: number;
  log: Logger;
}

/** What a subscriber asked of one shard: its selection, its variables, its viewer. */
interface Subscriber {
  viewer: Viewer;
  responseKey: string;
  selectionSet: SelectionSetNode | undefined;
  fragments: Fragments;
  variables: Record<string, unknown>;
}

export class EventHub {
  private readonly channels = new Map<string, Channel>();
  private replays = 0;

  constructor(private readonly options: EventHubOptions) {}

  /** The fan-in's opener (executor's openStream): one subscriber's part of one shard's stream. */
  readonly open = (url: string, document: DocumentNode, variables: Record<string, unknown>, request: ExecutionRequest): AsyncIterable<ExecutionResult> => {
    const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
    const root = operation.selectionSet.selections.find((selection): selection is FieldNode => selection.kind === Kind.FIELD)!;
    const argument = (name: string) => {
      const value = root.arguments?.find((candidate) => candidate.name.value === name)?.value;
      return value ? valueFromASTUntyped(value, variables) : undefined;
    };
    const after = argument("after");
    const recent = argument("recent");
    const subscriber: Subscriber = {
      viewer: (request.context as { viewer?: Viewer } | undefined)?.viewer ?? ANONYMOUS,
      responseKey: root.alias?.value ?? root.name.value,
      selectionSet: root.selectionSet,
      fragments: fragmentsOf(document),
      variables,
    };
    const key = `${root.name.value} ${url}`;
    let channel = this.channels.get(key);
    if (!channel) this.channels.set(key, (channel = new Channel(url, root.name.value, this.options, () => this.channels.delete(key))));
    const from: ReplayFrom | null = typeof after === "string" ? { after } : typeof recent === "number" && recent > 0 ? { recent } : null;
    return { [Symbol.asyncIterator]: () => new Part(channel, subscriber, from, this) };
  };

  /** Opens a replay from the shard for one subscriber (counted in `upstreams`): as the hub, which receives every event, unless told. */
  replay(channel: Channel, from: ReplayFrom, viewer = HUB_VIEWER): AsyncIterator<ExecutionResult> {
    const upstream = this.options.open(channel.url, channel.document, from, viewer)[Symbol.asyncIterator]();
    this.replays += 1;
    let counted = true;
    const uncount = () => {
      if (counted) this.replays -= 1;
      counted = false;
    };
    return {
      next: async () => {
        const next = await upstream.next().catch((error: unknown) => (uncount(), Promise.reject(error)));
        if (next.done) uncount();
        return next;
      },
      return: async () => {
        uncount();
        return (await upstream.return?.()) ?? { value: undefined, done: true };
      },
    };
  }

  /** Where the shard says `viewer`'s `recent` latest events begin: the marker of a replay opened as that viewer, which is then closed. */
  async recentStart(channel: Channel, recent: number, viewer: Viewer): Promise<string> {
    const replay = this.replay(channel, { recent }, viewer);
    try {
      const first = await replay.next();
      const event = first.done ? undefined : eventOf(first.value);
      if (event?.type !== POSITION_MARKER) throw new Error("the shard's replay did not begin by saying where it starts");
      return event.cursor;
    } finally {
      await replay.return?.();
    }
  }

  /** Upstream subscriptions open now: one per shard and event field with subscribers, plus replays under way. */
  upstreams(): number {
    return [...this.channels.values()].filter((channel) => channel.connected()).length + this.replays;
  }

  async close(): Promise<void> {
    await Promise.all([...this.channels.values()].map((channel) => channel.close()));
  }
}

/** One shard's event field, shared: its upstream, its window, its subscribers' parts. */
class Channel {
  readonly document: DocumentNode;
  private readonly window: FullEvent[] = [];
  /** The window holds every event after this position (null until the upstream first reported where it starts). */
  base: string | null = null;
  private head: string | null = null;
  private readonly parts = new Set<Part>();
  /** Parts opened and not yet ended, joined or not: the upstream closes when none is left. */
  private users = 0;
  /** The event type's name, for a subscriber's `__typename` on the markers the hub makes. */
  typename: Json = null;
  private upstream?: AsyncIterator<ExecutionResult>;
  private live = false;
  private readyWaiters: ((failure?: unknown) => void)[] = [];

  constructor(
    readonly url: string,
    field: string,
    private readonly options: EventHubOptions,
    private readonly forget: () => void,
  ) {
    this.document = upstreamDocument(field);
  }

  connected(): boolean {
    return this.upstream !== undefined;
  }

  /** Resolves once the upstream is live (its position known); rejects if it fails first. */
  ready(): Promise<void> {
    if (this.live) return Promise.resolve();
    if (!this.upstream) void this.run();
    return new Promise((resolveReady, rejectReady) => this.readyWaiters.push((failure) => (failure === undefined ? resolveReady() : rejectReady(failure))));
  }

  /** The latest position the window knows. */
  position(): string {
    return this.head ?? this.base!;
  }

  /** The position before the `recent` latest events `receives` lets through, when the window holds that many; null when only the shard knows. */
  recentStart(recent: number, receives: (event: FullEvent) => boolean): string | null {
    let found = 0;
    for (let i = this.window.length - 1; i >= 0; i--) {
      if (receives(this.window[i]) && ++found === recent) return i === 0 ? this.base! : this.window[i - 1].seq;
    }
    return null;
  }

  /** Adds a part from `after` (which the window covers): its backlog and then every live event, in one step. */
  join(part: Part, after: string): FullEvent[] {
    this.parts.add(part);
    return this.window.filter((event) => isAfter(event.seq, after));
  }

  private linger?: NodeJS.Timeout;

  attach(): void {
    this.users += 1;
    clearTimeout(this.linger);
  }

  detach(part: Part): void {
    this.parts.delete(part);
    this.users -= 1;
    if (this.users === 0) this.linger = setTimeout(() => void this.close(), LINGER_MS).unref();
  }

  private async run(): Promise<void> {
    const upstream = this.options.open(this.url, this.document, { after: this.head ?? this.base }, HUB_VIEWER)[Symbol.asyncIterator]();
    this.upstream = upstream;
    let failure: unknown = new Error("its stream ended");
    try {
      for (let next = await upstream.next(); !next.done && this.upstream === upstream; next = await upstream.next()) {
        const event = eventOf(next.value);
        if (event.type === POSITION_MARKER) {
          this.base ??= event.cursor;
          this.typename = event.__typename;
          this.live = true;
          for (const waiter of this.readyWaiters.splice(0)) waiter();
          continue;
        }
        this.window.push(event);
        this.head = event.seq;
        if (this.window.length > this.options.window) this.base = this.window.shift()!.seq;
        for (const part of this.parts) part.push(event);
      }
    } catch (error) {
      failure = error;
    }
    if (this.upstream !== upstream) return; // closed on purpose
    this.upstream = undefined;
    this.live = false;
    this.options.log.warn({ url: this.url, failure: String((failure as Error)?.message ?? failure) }, "shared shard stream interrupted");
    for (const waiter of this.readyWaiters.splice(0)) waiter(failure);
    for (const part of [...this.parts]) part.fail(failure);
    await upstream.return?.().catch(() => undefined);
  }

  /** Closes the upstream; the window is dropped, since nothing follows the shard any more. */
  async close(): Promise<void> {
    clearTimeout(this.linger);
    const upstream = this.upstream;
    this.upstream = undefined;
    this.live = false;
    this.forget();
    await upstream?.return?.().catch(() => undefined);
  }
}

/** One subscriber's part of one shard's stream, as the fan-in reads it. */
class Part implements AsyncIterator<ExecutionResult> {
  private queue: ExecutionResult[] = [];
  private wake?: () => void;
  private failure?: unknown;
  private done = false;
  private started = false;
  private attached = true;
  private replaying?: AsyncIterator<ExecutionResult>;

  constructor(
    private readonly channel: Channel,
    private readonly subscriber: Subscriber,
    /** Where the subscriber asked to start: null from the shared stream's position. */
    private readonly from: ReplayFrom | null,
    private readonly hub: EventHub,
  ) {
    channel.attach();
  }

  private detach(): void {
    if (this.attached) this.channel.detach(this);
    this.attached = false;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.started) {
      this.started = true;
      void this.start().catch((error: unknown) => this.fail(error));
    }
    while (this.queue.length === 0 && !this.done && this.failure === undefined) await new Promise<void>((resolveWake) => (this.wake = resolveWake));
    this.wake = undefined;
    if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
    if (this.failure !== undefined && !this.done) {
      this.done = true;
      throw this.failure;
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.done = true;
    this.wake?.();
    this.detach();
    await this.replaying?.return?.();
    return { value: undefined, done: true };
  }

  /** The subscriber's first message: where its part of the stream starts. */
  private announce(position: string): string {
    if (!/^\d+$/.test(position)) throw new Error("the cursor is not one this stream issued");
    this.deliver(marker(position, this.channel.typename));
    return position;
  }

  private async start(): Promise<void> {
    await this.channel.ready();
    if (this.done) return;
    const from = this.from;
    const start =
      from === null
        ? this.channel.position()
        : "after" in from
          ? from.after
          : (this.channel.recentStart(from.recent, this.receives) ?? (await this.hub.recentStart(this.channel, from.recent, this.subscriber.viewer)));
    if (this.done) return;
    let position = this.announce(start);
    if (isAfter(this.channel.base!, position)) {
      this.replaying = this.hub.replay(this.channel, { after: position });
      for (let next = await this.replaying.next(); !next.done && !this.done; next = await this.replaying.next()) {
        const event = eventOf(next.value);
        // The replay's own marker repeats the position announced.
        if (event.type === POSITION_MARKER) continue;
        this.push(event);
        position = event.seq;
        if (this.channel.base !== null && this.channel.connected() && !isAfter(this.channel.base, position)) break;
      }
      await this.replaying.return?.();
      this.replaying = undefined;
      if (this.done) return;
      if (!this.channel.connected()) throw new Error("the shared stream was interrupted");
    }
    for (const event of this.channel.join(this, position)) this.push(event);
  }

  /** Whether the subscriber's viewer may receive `event`: the shards' own rule. */
  private readonly receives = (event: FullEvent) => mayReceiveEvent(this.subscriber.viewer, { type: event.type, agencyCode: event.agencyCode ?? "" });

  /** A shard event: delivered if the subscriber's viewer may receive it, shaped as it asked. */
  push(event: FullEvent): void {
    if (this.done || this.failure !== undefined) return;
    if (!this.receives(event)) return;
    if (this.queue.length >= BACKLOG) {
      this.fail(new Error("the subscriber fell too far behind"));
      return;
    }
    this.deliver(event);
  }

  private deliver(event: FullEvent): void {
    const { responseKey, selectionSet } = this.subscriber;
    this.queue.push({ data: { [responseKey]: selectionSet ? project(event, selectionSet, this.subscriber) : null } });
    this.wake?.();
  }

  fail(failure: unknown): void {
    if (this.done || this.failure !== undefined) return;
    this.failure = failure;
    this.detach();
    this.wake?.();
  }
}

function marker(position: string, typename: Json): FullEvent {
  return { __typename: typename, cursor: position, seq: position, agencyCode: null, type: POSITION_MARKER, subjectId: "", occurredAt: new Date().toISOString(), payload: {} };
}

/** An event shaped as a selection set asks (aliases, fragments, @skip/@include); every field of an event is a leaf. */
function project(event: FullEvent, selectionSet: SelectionSetNode, subscriber: Subscriber, into: { [key: string]: Json } = {}): { [key: string]: Json } {
  for (const selection of selectionSet.selections) {
    if (!included(selection, subscriber.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      into[selection.alias?.value ?? selection.name.value] = event[selection.name.value] ?? null;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      project(event, selection.selectionSet, subscriber, into);
    } else {
      const fragment = subscriber.fragments.get(selection.name.value);
      if (fragment) project(event, fragment.selectionSet, subscriber, into);
    }
  }
  return into;
}

function included(node: SelectionSetNode["selections"][number], variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
