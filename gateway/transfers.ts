/**
 * The transfer relay: moves reassigned dataset requests from one agency's
 * feedback shard to another's (subgraphs/feedback/dataset-requests.ts). Only
 * the gateway knows every shard's address, so the relay lives here. Every few
 * seconds it asks each feedback shard for requests being moved, then calls
 * acceptDatasetRequest on the target and completeDatasetRequestTransfer on
 * the source. Both are idempotent, so a relay (or shard) that dies between
 * the two just does them again next time: a request is never lost (the
 * source keeps it until the target has it) and never doubled (the target
 * keys it by its id, and tells a move repeated from a new one, back to an
 * agency that held the request before, by how many agencies it was assigned to).
 */
import type { Logger } from "../contract/logger";
import type { SystemClient, SystemCallResult } from "../contract/system-client";
import type { RoutingTable } from "./shard-router/routing-table";

const SUBGRAPH = "feedback";

const PENDING = `{ pendingDatasetRequestTransfers { email request { id agencyCode title body receivedAt assignedAgencies transferredTo transferReason } } }`;
const ACCEPT = "mutation($input: AcceptDatasetRequestInput!) { acceptDatasetRequest(input: $input) { request { id } } }";
const COMPLETE = "mutation($input: CompleteDatasetRequestTransferInput!) { completeDatasetRequestTransfer(input: $input) { request { id } } }";

interface Pending {
  email: string;
  request: { id: string; agencyCode: string; title: string; body: string; receivedAt: string; assignedAgencies: string[]; transferredTo: string; transferReason: string | null };
}

export interface TransferRelayOptions {
  routing: RoutingTable;
  /** Calls the shards as the transfer relay (system:transfer-relay), which alone may move requests. */
  system: SystemClient;
  log: Logger;
}

/** One pass over every feedback shard; returns how many requests it moved. */
export async function relayTransfers({ routing, system, log }: TransferRelayOptions): Promise<number> {
  const shards = routing.shardsOf(SUBGRAPH);
  let moved = 0;
  for (const [source, sourceUrl] of shards) {
    const pending = await system.request<{ pendingDatasetRequestTransfers: Pending[] }>(sourceUrl, PENDING);
    if (!pending.ok) {
      log.warn({ shard: `${SUBGRAPH}:${source}`, failure: pending.reason }, "transfer relay could not read pending transfers; will retry");
      continue;
    }
    for (const { email, request } of pending.data.pendingDatasetRequestTransfers) {
      const targetUrl = shards.get(request.transferredTo);
      if (!targetUrl) {
        log.warn({ request: request.id, to: request.transferredTo }, "no feedback shard for the target agency; the request waits at its source");
        continue;
      }
      const accepted = await system.request(targetUrl, ACCEPT, {
        input: {
          agencyCode: request.transferredTo,
          id: request.id,
          fromAgencyCode: source,
          email,
          title: request.title,
          body: request.body,
          receivedAt: request.receivedAt,
          assignedAgencies: request.assignedAgencies,
          transferReason: request.transferReason,
        },
      });
      const completed: SystemCallResult<unknown> = accepted.ok ? await system.request(sourceUrl, COMPLETE, { input: { agencyCode: source, requestId: request.id } }) : accepted;
      if (!completed.ok) {
        log.warn({ request: request.id, from: source, to: request.transferredTo, failure: completed.reason }, "dataset request move interrupted; will resume");
        continue;
      }
      moved += 1;
      log.info({ request: request.id, from: source, to: request.transferredTo }, "dataset request moved");
    }
  }
  return moved;
}
