import { govError, ErrorCode } from "../../contract/errors";
import type { InstanceInfo } from "./subgraph";

/**
 * An agency shard holds one agency's data only. A request that names another
 * agency reached the wrong shard (the gateway never sends one): refuse it
 * rather than answer with nothing.
 */
export function assertOwnShard(instance: InstanceInfo, agencyCode: string, path = "agencyCode"): void {
  if (instance.agencyCode !== agencyCode) {
    throw govError(ErrorCode.NOT_FOUND, `This ${instance.subgraph} shard serves ${instance.agencyCode}, not ${agencyCode}.`, {
      fields: [{ path, reason: `names agency ${agencyCode}, which this shard does not hold` }],
    });
  }
}

/** For fan-out fields: whether this shard is among the agencies a caller asked for (all when none named). */
export function isRequested(instance: InstanceInfo, agencyCodes: readonly string[] | null | undefined): boolean {
  return !agencyCodes || agencyCodes.includes(instance.agencyCode!);
}
