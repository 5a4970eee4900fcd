import { signClaims, verifyClaims, viewerFromClaims, Role } from "./claims";

const secret = "a-test-secret";

test("claims signed by the gateway are read back exactly", async () => {
  const viewer = { sub: "lin", role: Role.AGENCY_CIO, agencyCode: "ACA", client: "subject:lin" };
  expect(await verifyClaims(await signClaims(viewer, secret, 60), secret)).toEqual(viewer);
});

test.each([
  ["missing", async () => undefined],
  ["signed with another secret", () => signClaims({ sub: "x", role: Role.MINISTRY_ADMIN }, "not-the-secret", 60)],
  ["expired", () => signClaims({ sub: "x", role: Role.MINISTRY_ADMIN }, secret, -1)],
  ["not a token", async () => "garbage"],
])("claims that are %s are UNAUTHENTICATED", async (_, header) => {
  await expect(verifyClaims(await header(), secret)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
});

test("an unknown role, or an agency role without its agency, is refused", () => {
  expect(viewerFromClaims({ sub: "x", role: "KING" })).toMatch(/unknown role/);
  expect(viewerFromClaims({ sub: "x", role: "AGENCY_STAFF" })).toMatch(/needs an agencyCode/);
  expect(viewerFromClaims({ role: "PUBLIC" })).toEqual({ sub: "anonymous", role: "PUBLIC" });
});
