/**
 * Limits on operations open over WebSocket (subscriptions, mostly): each
 * holds upstream streams on every shard it listens to, so one client may
 * keep `perClient` open and the gateway `total`; the next is refused with
 * OPERATION_LIMIT and a message saying which limit, until one completes.
 */
import { GraphQLError } from "graphql";
import { ErrorCode } from "../contract/errors";

export interface SubscriptionLimits {
  perClient: number;
  total: number;
}

export class SubscriptionCounter {
  private readonly byClient = new Map<string, number>();
  private readonly open = new Map<object, Map<string, string>>();
  private total = 0;

  constructor(private readonly limits: SubscriptionLimits) {}

  /** Takes a place for operation `id` of `connection` by `client`, or returns the error refusing it. */
  take(connection: object, id: string, client: string): GraphQLError | null {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.limits.perClient) {
      return limitError("subscriptionsPerClient", `You have ${mine} subscriptions open, the most one client may: complete one before starting another.`, this.limits.perClient);
    }
    if (this.total >= this.limits.total) {
      return limitError("subscriptions", `The gateway serves ${this.total} subscriptions, its most: try again later.`, this.limits.total);
    }
    this.byClient.set(client, mine + 1);
    this.total += 1;
    let ids = this.open.get(connection);
    if (!ids) this.open.set(connection, (ids = new Map()));
    ids.set(id, client);
    return null;
  }

  /** Frees the place of operation `id` (safe to call twice). */
  release(connection: object, id: string): void {
    const ids = this.open.get(connection);
    const client = ids?.get(id);
    if (!ids || client === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.open.delete(connection);
    this.total -= 1;
    const left = (this.byClient.get(client) ?? 1) - 1;
    if (left > 0) this.byClient.set(client, left);
    else this.byClient.delete(client);
  }

  /** Frees every place of a closed connection. */
  releaseAll(connection: object): void {
    for (const id of [...(this.open.get(connection)?.keys() ?? [])]) this.release(connection, id);
  }
}

function limitError(limit: string, message: string, maximum: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.OPERATION_LIMIT, limit, maximum } });
}
