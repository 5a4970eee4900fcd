/**
 * The shard side of the shard contract (contract/shard-directives.ts): how a
 * root field declares its routing, and the guard that keeps an agency shard
 * to its own agency's data.
 */
import { Directive, UseMiddleware, type MiddlewareFn } from "type-graphql";
import { govError, ErrorCode } from "../../contract/errors";
import type { InstanceInfo } from "./instance";

/**
 * An agency shard holds one agency's data only. A request that names another
 * agency reached the wrong shard (the gateway never sends one): refuse it
 * rather than answer with nothing.
 */
export function assertOwnShard(instance: InstanceInfo, agencyCode: unknown, path = "agencyCode"): void {
  if (instance.agencyCode !== agencyCode) {
    throw govError(ErrorCode.NOT_FOUND, `This ${instance.subgraph} shard serves ${instance.agencyCode}, not ${String(agencyCode)}.`, {
      fields: [{ path, reason: `names agency ${String(agencyCode)}, which this shard does not hold` }],
    });
  }
}

const ownShardGuards = new WeakSet<object>();

/** Whether a type-graphql middleware is the own-shard guard that ShardBy installs (for the test that every routed field has one). */
export const isOwnShardGuard = (middleware: unknown): boolean => typeof middleware === "function" && ownShardGuards.has(middleware);

function valueAt(args: Record<string, unknown>, path: readonly string[]): unknown {
  return path.reduce<unknown>((value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined), args);
}

/**
 * Routes a root field to the one shard named at `argumentPath` (e.g.
 * "input.agencyCode") and guards it with the same path: the gateway reads
 * the @shardBy directive to route, the shard refuses a request that names
 * another agency. One decorator, so a field cannot have one without the other.
 */
export function ShardBy(argumentPath: string): MethodDecorator {
  const path = argumentPath.split(".");
  const directive = Directive(`@shardBy(argument: "${argumentPath}")`);
  const ownShardGuard: MiddlewareFn = ({ args, context }, next) => {
    assertOwnShard((context as { instance: InstanceInfo }).instance, valueAt(args, path), argumentPath);
    return next();
  };
  ownShardGuards.add(ownShardGuard);
  const guard = UseMiddleware(ownShardGuard);
  return (target, key, descriptor) => {
    directive(target, key, descriptor);
    guard(target, key, descriptor);
  };
}

/** For fan-out fields: whether this shard is among the agencies a caller asked for (all when none named). */
export function isRequested(instance: InstanceInfo, agencyCodes: readonly string[] | null | undefined): boolean {
  return !agencyCodes || agencyCodes.includes(instance.agencyCode!);
}
