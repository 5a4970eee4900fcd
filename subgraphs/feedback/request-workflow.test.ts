import { HELD_STATES, RequestAction, requestArrival, RequestState, requestTransition, REQUEST_WORKFLOW } from "./request-workflow";

const states = Object.values(RequestState);

describe("the dataset request workflow", () => {
  test.each(Object.values(RequestAction).flatMap((action) => states.map((from) => [action, from] as const)))("%s from %s", (action, from) => {
    const result = requestTransition(action, from);
    const rule = REQUEST_WORKFLOW[action];
    if (rule.from.includes(from)) expect(result).toEqual({ ok: true, to: rule.to, repeated: false });
    else if (action === RequestAction.COMPLETE_TRANSFER && from === RequestState.TRANSFERRED) expect(result).toEqual({ ok: true, to: from, repeated: true });
    else expect(result).toMatchObject({ ok: false });
  });

  test("only open requests move or close, and a refusal says what the request is and what is needed", () => {
    expect(requestTransition(RequestAction.REASSIGN, RequestState.CLOSED)).toEqual({ ok: false, reason: "This request is closed: only a request that is open can be reassigned." });
    expect(requestTransition(RequestAction.CLOSE, RequestState.TRANSFERRING)).toEqual({ ok: false, reason: "This request is transferring: only a request that is open can be closed." });
    expect(requestTransition(RequestAction.COMPLETE_TRANSFER, RequestState.OPEN)).toMatchObject({ ok: false });
  });
});

describe("a request arriving at an agency's shard", () => {
  const row = (state: RequestState, ...assignedAgencies: string[]) => ({ state, assignedAgencies });

  test("a request never here is added, assigned to this agency last", () => {
    expect(requestArrival(null, ["AJ"], "AAC")).toEqual({ ok: true, repeated: false, assignedAgencies: ["AJ", "AAC"] });
  });

  test("a request reassigned back reopens the tombstone it left, as often as it bounces", () => {
    expect(requestArrival(row(RequestState.TRANSFERRED, "AJ"), ["AJ", "AAC"], "AJ")).toEqual({ ok: true, repeated: false, assignedAgencies: ["AJ", "AAC", "AJ"] });
    expect(requestArrival(row(RequestState.TRANSFERRED, "AJ", "AAC"), ["AJ", "AAC", "AJ"], "AAC")).toEqual({ ok: true, repeated: false, assignedAgencies: ["AJ", "AAC", "AJ", "AAC"] });
  });

  test("a move delivered again is a repeat, whatever became of the request here since", () => {
    const arrived = row(RequestState.OPEN, "AJ", "AAC");
    expect(requestArrival(arrived, ["AJ"], "AAC")).toEqual({ ok: true, repeated: true, request: arrived });
    const leftAgain = row(RequestState.TRANSFERRED, "AJ", "AAC", "AJ");
    expect(requestArrival(leftAgain, ["AJ", "AAC"], "AJ")).toEqual({ ok: true, repeated: true, request: leftAgain });
    expect(requestArrival(row(RequestState.CLOSED, "AJ", "AAC"), ["AJ"], "AAC")).toMatchObject({ ok: true, repeated: true });
  });

  test("a request coming back before its move away is complete waits: the relay completes that move first", () => {
    expect(requestArrival(row(RequestState.TRANSFERRING, "AJ"), ["AJ", "AAC"], "AJ")).toEqual({
      ok: false,
      reason: "This request is transferring: only a request that is transferred can be moved back here.",
    });
  });
});

test("an agency holds its open, moving and closed requests, not the tombstones of those it moved away", () => {
  expect(HELD_STATES).toEqual([RequestState.OPEN, RequestState.TRANSFERRING, RequestState.CLOSED]);
});
