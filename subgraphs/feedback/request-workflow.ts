/**
 * The life of a request for a new dataset, as a table of transitions (as a
 * comment's reply workflow is, workflow.ts). Who may take each action is
 * checked by the resolvers (the assigned agency, or the gateway's transfer
 * relay); this table says from which states it may be taken and where it leads.
 *
 *   (accepted on the target shard) ──▶ OPEN ──reassign──▶ TRANSFERRING ──complete transfer──▶ TRANSFERRED (a tombstone)
 *                                      ▲ └──close──▶ CLOSED                                           │
 *                                      └──────────return (reassigned back to an agency that held it)──┘
 */
export enum RequestState {
  OPEN = "OPEN",
  /** Reassigned; being moved to `transferredTo`'s shard. */
  TRANSFERRING = "TRANSFERRING",
  /** Moved: the request now lives on `transferredTo`'s shard; this row is its tombstone. */
  TRANSFERRED = "TRANSFERRED",
  CLOSED = "CLOSED",
}

/** The requests an agency holds, open or answered: all but those it moved away (their tombstones). */
export const HELD_STATES: readonly RequestState[] = Object.values(RequestState).filter((state) => state !== RequestState.TRANSFERRED);

export enum RequestAction {
  REASSIGN = "REASSIGN",
  COMPLETE_TRANSFER = "COMPLETE_TRANSFER",
  RETURN = "RETURN",
  CLOSE = "CLOSE",
}

interface Rule {
  from: readonly RequestState[];
  to: RequestState;
  /** Said in a refusal: "only an open request can be reassigned". */
  verb: string;
}

export const REQUEST_WORKFLOW: Record<RequestAction, Rule> = {
  [RequestAction.REASSIGN]: { from: [RequestState.OPEN], to: RequestState.TRANSFERRING, verb: "reassigned" },
  [RequestAction.COMPLETE_TRANSFER]: { from: [RequestState.TRANSFERRING], to: RequestState.TRANSFERRED, verb: "moved" },
  [RequestAction.RETURN]: { from: [RequestState.TRANSFERRED], to: RequestState.OPEN, verb: "moved back here" },
  [RequestAction.CLOSE]: { from: [RequestState.OPEN], to: RequestState.CLOSED, verb: "closed" },
};

export type RequestTransition =
  | { ok: true; to: RequestState; repeated: boolean }
  | { ok: false; reason: string };

/**
 * Whether `action` may be taken on a request in state `from`. Taking an
 * action again on a request already where it leads is a repeat (the transfer
 * relay retries its steps), not a conflict.
 */
export function requestTransition(action: RequestAction, from: RequestState): RequestTransition {
  const rule = REQUEST_WORKFLOW[action];
  if (from === rule.to && action === RequestAction.COMPLETE_TRANSFER) return { ok: true, to: rule.to, repeated: true };
  if (!rule.from.includes(from)) {
    const allowed = rule.from.map((state) => state.toLowerCase()).join(" or ");
    return { ok: false, reason: `This request is ${from.toLowerCase()}: only a request that is ${allowed} can be ${rule.verb}.` };
  }
  return { ok: true, to: rule.to, repeated: false };
}

/** A shard's row of a request: what decides whether a request moving in is new, back, or already here. */
interface RequestRow {
  state: RequestState;
  assignedAgencies: readonly string[];
}

export type RequestArrival<Row> =
  | { ok: true; repeated: false; assignedAgencies: string[] }
  | { ok: true; repeated: true; request: Row }
  | { ok: false; reason: string };

/**
 * What a request moving to `agencyCode`, assigned so far to `moving`, does on
 * that agency's shard, whose row of it (`here`) is null if it was never here.
 * Every arrival adds the agency to the assignments, so a row with more of them
 * than the moving request already holds this move (the relay delivered it
 * again, perhaps after the request left once more); a tombstone with fewer is
 * the request reassigned back, and reopens.
 */
export function requestArrival<Row extends RequestRow>(here: Row | null, moving: readonly string[], agencyCode: string): RequestArrival<Row> {
  if (here && here.assignedAgencies.length > moving.length) return { ok: true, repeated: true, request: here };
  if (here) {
    const back = requestTransition(RequestAction.RETURN, here.state);
    if (!back.ok) return back;
  }
  return { ok: true, repeated: false, assignedAgencies: [...moving, agencyCode] };
}
