import { parse } from "graphql";
import { askAgainIfUnreached, failedAtEachRootField, reachedNoSubgraph, type CallAnswer } from "./upstream-call";

describe("reachedNoSubgraph: what the transport answers when no subgraph answered", () => {
  test("no data and only the transport's own errors", () => {
    expect(reachedNoSubgraph({ errors: [{ message: "connect ECONNREFUSED", extensions: { code: "SUBREQUEST_HTTP_ERROR" } }] as never })).toBe(true);
  });

  test("a subgraph's own answer, even a refusal, or any data, is an answer", () => {
    expect(reachedNoSubgraph({ data: null, errors: [{ message: "no", extensions: { code: "FORBIDDEN" } }] as never })).toBe(false);
    expect(reachedNoSubgraph({ data: null, errors: [{ message: "no", path: ["agency"] }] as never })).toBe(false);
    expect(reachedNoSubgraph({ data: { agency: null } })).toBe(false);
  });
});

describe("askAgainIfUnreached: a read that reached nothing is asked once more, a write never", () => {
  const asking = (answers: CallAnswer[]) => {
    let asked = 0;
    return { ask: async () => answers[Math.min(asked++, answers.length - 1)], asked: () => asked };
  };
  const unreached: CallAnswer = { ok: false, reason: "it could not be reached", unreachable: true };
  const answered: CallAnswer = { ok: true, result: { data: { __typename: "Query" } } };
  const request = (operationType: "query" | "mutation", signal?: AbortSignal) => ({ document: parse("{ __typename }"), operationType, signal }) as never;

  test("a read: once more, and the second answer is the call's", async () => {
    const call = asking([unreached, answered]);
    expect(await askAgainIfUnreached(request("query"), call.ask)).toEqual(answered);
    expect(call.asked()).toBe(2);
  });

  test("a write, a read that timed out, and a read whose client has gone: once", async () => {
    const write = asking([unreached, answered]);
    expect(await askAgainIfUnreached(request("mutation"), write.ask)).toEqual(unreached);
    const slow = asking([{ ok: false, reason: "no answer within 5 ms", timedOut: true }, answered]);
    expect((await askAgainIfUnreached(request("query"), slow.ask)).ok).toBe(false);
    const gone = new AbortController();
    gone.abort();
    const left = asking([unreached, answered]);
    expect(await askAgainIfUnreached(request("query", gone.signal), left.ask)).toEqual(unreached);
    expect([write.asked(), slow.asked(), left.asked()]).toEqual([1, 1, 1]);
  });
});

describe("failedAtEachRootField: a call that brought errors and no data", () => {
  const operation = (source: string) => parse(source).definitions[0] as never;
  const unreached = { message: "The metrics subgraph is unavailable", extensions: { code: "SUBGRAPH_UNAVAILABLE" } };

  test("nulls each root field it asked for, by response key, with each error at its path", () => {
    const failed = failedAtEachRootField({ errors: [unreached] as never }, operation('{ a: agency(code: "MOJ") { name } ministryProgress { published } }'));
    expect(failed.data).toEqual({ a: null, ministryProgress: null });
    expect(failed.errors!.map((error) => [error.message, error.path, error.extensions])).toEqual([
      [unreached.message, ["a"], unreached.extensions],
      [unreached.message, ["ministryProgress"], unreached.extensions],
    ]);
  });

  test("an error at a path (a non-null root field's, which nulled all the data) stays at its own path", () => {
    const refused = { message: "Invalid input. codes: …", path: ["agencies"], extensions: { code: "BAD_USER_INPUT" } };
    const failed = failedAtEachRootField({ data: null, errors: [refused, { ...refused, path: ["progressHistory"] }] as never }, operation("{ agencies { code } progressHistory { day } }"));
    expect(failed.data).toEqual({ agencies: null, progressHistory: null });
    expect(failed.errors!.map((error) => error.path)).toEqual([["agencies"], ["progressHistory"]]);
  });

  test("an answer with data, or without errors, is left as it is", () => {
    const withData = { data: { a: null }, errors: [{ ...unreached, path: ["a"] }] } as never;
    expect(failedAtEachRootField(withData, operation("{ a: agency { name } }"))).toBe(withData);
    const empty = { data: null };
    expect(failedAtEachRootField(empty, operation("{ agency { name } }"))).toBe(empty);
  });
});
