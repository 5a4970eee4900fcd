import { GraphQLError } from "graphql";
import { SignJWT } from "jose";
import { claimsSigner, claimsVerifier, signClaims, viewerFromClaims, Role, type Viewer } from "./claims";

const secret = "a-test-secret";
const key = new TextEncoder().encode(secret);
const verifyClaims = (header: string | undefined) => claimsVerifier(secret)(header);

describe("claims forwarded by the gateway", () => {
  test.each<[string, Viewer]>([
    ["an agency CIO", { sub: "lin", role: Role.AGENCY_CIO, agencyCode: "ACA" }],
    ["agency staff with a rate-limit client", { sub: "wu", role: Role.AGENCY_STAFF, agencyCode: "MOJ", client: "subject:wu" }],
    ["a ministry administrator", { sub: "chen", role: Role.MINISTRY_ADMIN }],
    ["an anonymous member of the public", { sub: "anonymous", role: Role.PUBLIC }],
  ])("are read back exactly for %s", async (_, viewer) => {
    expect(await verifyClaims(await signClaims(viewer, secret, 60))).toEqual(viewer);
  });
});

describe("claims signed for many requests", () => {
  const staff: Viewer = { sub: "wu", role: Role.AGENCY_STAFF, agencyCode: "MOJ", client: "subject:wu" };
  const issuedAt = (claims: string) => (JSON.parse(Buffer.from(claims.split(".")[1], "base64url").toString()) as { iat: number }).iat;

  test("are the same for one viewer, and each viewer's own", async () => {
    const claimsFor = claimsSigner(secret, 60);
    const first = await claimsFor(staff);
    expect(await claimsFor({ ...staff })).toBe(first);
    const cio = await claimsFor({ ...staff, role: Role.AGENCY_CIO });
    expect(await verifyClaims(cio)).toEqual({ ...staff, role: Role.AGENCY_CIO });
    expect(await verifyClaims(await claimsFor({ ...staff, client: "subject:lin" }))).toEqual({ ...staff, client: "subject:lin" });
  });

  test("are signed again once half their lifetime has passed", async () => {
    const claimsFor = claimsSigner(secret, 2);
    const first = await claimsFor(staff);
    await new Promise((resolveWait) => setTimeout(resolveWait, 1100));
    const second = await claimsFor(staff);
    expect(issuedAt(second)).toBeGreaterThan(issuedAt(first));
    expect(await verifyClaims(second)).toEqual(staff);
  });
});

describe("claims verified once by a server that sees them often", () => {
  const staff: Viewer = { sub: "wu", role: Role.AGENCY_STAFF, agencyCode: "MOJ", client: "subject:wu" };

  test("are refused once they have expired", async () => {
    const verify = claimsVerifier(secret);
    const claims = await signClaims(staff, secret, 1);
    expect(await verify(claims)).toEqual(staff);
    const { exp } = JSON.parse(Buffer.from(claims.split(".")[1], "base64url").toString()) as { exp: number };
    await new Promise((resolveWait) => setTimeout(resolveWait, exp * 1000 - Date.now() + 50));
    await expect(verify(claims)).rejects.toThrow("Forwarded claims have expired.");
  });

  test("do not vouch for claims that differ from them", async () => {
    const verify = claimsVerifier(secret);
    const claims = await signClaims(staff, secret, 60);
    await verify(claims);
    const [header, payload, signature] = claims.split(".");
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), role: Role.MINISTRY_ADMIN })).toString("base64url");
    await expect(verify(`${header}.${promoted}.${signature}`)).rejects.toThrow(/not valid/);
    await expect(verify(undefined)).rejects.toThrow(/missing x-govgraph-claims/);
    expect(await verify(claims)).toEqual(staff);
  });
});

describe("claims a subgraph must not trust are UNAUTHENTICATED", () => {
  const admin: Viewer = { sub: "x", role: Role.MINISTRY_ADMIN };

  test.each<[string, () => Promise<string | undefined>]>([
    ["missing", async () => undefined],
    ["signed with another secret", () => signClaims(admin, "not-the-secret", 60)],
    ["expired", () => signClaims(admin, secret, -1)],
    ["not a token at all", async () => "garbage"],
    ["unsigned (alg none)", async () => `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"role":"MINISTRY_ADMIN","sub":"x"}').toString("base64url")}.`],
    [
      "signed with the secret but not issued by the gateway for subgraphs",
      () => new SignJWT({ role: "MINISTRY_ADMIN" }).setProtectedHeader({ alg: "HS256" }).setSubject("x").setIssuer("someone-else").setExpirationTime("60s").sign(key),
    ],
    [
      "validly signed but naming an agency role without its agency",
      () =>
        new SignJWT({ role: "AGENCY_STAFF" })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .setIssuer("govgraph-gateway")
          .setAudience("govgraph-subgraph")
          .setExpirationTime("60s")
          .sign(key),
    ],
  ])("claims that are %s", async (_, header) => {
    const token = await header();
    const error = await verifyClaims(token).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe("UNAUTHENTICATED");
  });
});

describe("reading a viewer out of claims", () => {
  test.each(["KING", "public", "", "toString", "constructor"])("refuses the unknown role %p", (role) => {
    expect(viewerFromClaims({ sub: "x", role })).toMatch(/unknown role/);
  });

  test("refuses a missing role", () => {
    expect(viewerFromClaims({ sub: "x" })).toMatch(/unknown role/);
  });

  test.each(["AGENCY_STAFF", "AGENCY_CIO"])("refuses %s without an agencyCode, or with an empty one", (role) => {
    expect(viewerFromClaims({ sub: "x", role })).toMatch(/needs an agencyCode/);
    expect(viewerFromClaims({ sub: "x", role, agencyCode: "" })).toMatch(/needs an agencyCode/);
  });

  test("binds agency roles to their agency, and only agency roles", () => {
    expect(viewerFromClaims({ sub: "x", role: "AGENCY_STAFF", agencyCode: "AJ" })).toEqual({ sub: "x", role: "AGENCY_STAFF", agencyCode: "AJ" });
    expect(viewerFromClaims({ sub: "x", role: "MINISTRY_ADMIN", agencyCode: "AJ" })).toEqual({ sub: "x", role: "MINISTRY_ADMIN" });
  });

  test("a viewer without a subject is anonymous", () => {
    expect(viewerFromClaims({ role: "PUBLIC" })).toEqual({ sub: "anonymous", role: "PUBLIC" });
  });
});
