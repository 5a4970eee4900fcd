import { RequestAction, RequestState, requestTransition, REQUEST_WORKFLOW } from "./request-workflow";

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
