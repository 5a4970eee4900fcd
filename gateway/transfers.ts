/**
 * The transfer relay: moves reassigned dataset requests from one agency's
 * feedback shard to another's (subgraphs/feedback/dataset-requests.ts). Only
 * the gateway knows every shard's address, so the relay lives here. Every few
 * seconds it asks each feedback shard for requests being moved, then calls
 * acceptDatasetRequest on the target and completeDatasetRequestTransfer on
 * the source. Both are idempotent, so a relay (or shard) that dies between
 * the two just does them again next time: a request is never lost (the
 * source keeps it until the target has it) and never doubled (the target
 * keys it by its id).
 */
import { Role, SYSTEM_SUBJECTS, signClaims, CLAIMS_HEADER } from "../contract/claims";
import type { Logger } from "../contract/logger";
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
  internalSecret: string;
  claimsTtlSeconds: number;
  intervalMs: number;
  log: Logger;
}

async function call<T>(url: string, claims: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [CLAIMS_HEADER]: claims },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.map((e) => e.message).join("; ") ?? `HTTP ${response.status}`);
  return body.data;
}

/** One pass over every feedback shard; returns how many requests it moved. */
export async function relayTransfers({ routing, internalSecret, claimsTtlSeconds, log }: Omit<TransferRelayOptions, "intervalMs">): Promise<number> {
  const claims = await signClaims({ sub: SYSTEM_SUBJECTS.TRANSFER_RELAY, role: Role.MINISTRY_ADMIN }, internalSecret, claimsTtlSeconds);
  const shards = routing.shardsOf(SUBGRAPH);
  let moved = 0;
  for (const [source, sourceUrl] of shards) {
    let pending: Pending[];
    try {
      pending = (await call<{ pendingDatasetRequestTransfers: Pending[] }>(sourceUrl, claims, PENDING)).pendingDatasetRequestTransfers;
    } catch (error) {
      log.warn({ shard: `${SUBGRAPH}:${source}`, err: error }, "transfer relay could not read pending transfers; will retry");
      continue;
    }
    for (const { email, request } of pending) {
      const targetUrl = shards.get(request.transferredTo);
      if (!targetUrl) {
        log.warn({ request: request.id, to: request.transferredTo }, "no feedback shard for the target agency; the request waits at its source");
        continue;
      }
      try {
        await call(targetUrl, claims, ACCEPT, {
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
        await call(sourceUrl, claims, COMPLETE, { input: { agencyCode: source, requestId: request.id } });
        moved += 1;
        log.info({ request: request.id, from: source, to: request.transferredTo }, "dataset request moved");
      } catch (error) {
        log.warn({ request: request.id, from: source, to: request.transferredTo, err: error }, "dataset request move interrupted; will resume");
      }
    }
  }
  return moved;
}

/** Runs the relay every `intervalMs` until stopped. */
export function startTransferRelay(options: TransferRelayOptions) {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => relayTransfers(options)).catch((error: unknown) => options.log.error({ err: error }, "transfer relay failed"));
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
