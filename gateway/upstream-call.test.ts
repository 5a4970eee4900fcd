import { reachedNoSubgraph } from "./upstream-call";

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
