import { Role } from "../contract/claims";
import { loadSecrets } from "../contract/config";
import { createTokenVerifier, issueDevToken } from "./auth";

const secrets = loadSecrets();
const viewer = { sub: "auth-test", role: Role.AGENCY_STAFF, agencyCode: "MOJ" };

describe("a token verified before", () => {
  test("answers as its viewer again", async () => {
    const verifier = createTokenVerifier(secrets);
    const token = await issueDevToken(viewer, secrets);
    expect(await verifier.viewerOf(`Bearer ${token}`)).toEqual(viewer);
    expect(await verifier.viewerOf(`Bearer ${token}`)).toEqual(viewer);
  });

  test("is refused once it has expired", async () => {
    const verifier = createTokenVerifier(secrets);
    const token = await issueDevToken(viewer, secrets, "1s");
    expect(await verifier.viewerOf(`Bearer ${token}`)).toEqual(viewer);
    const { exp } = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()) as { exp: number };
    await new Promise((resolveWait) => setTimeout(resolveWait, exp * 1000 - Date.now() + 50));
    await expect(verifier.viewerOf(`Bearer ${token}`)).rejects.toThrow("The token has expired: get a new one.");
  });

  test("does not vouch for a token that differs from it", async () => {
    const verifier = createTokenVerifier(secrets);
    const token = await issueDevToken(viewer, secrets);
    await verifier.viewerOf(`Bearer ${token}`);
    const [header, payload, signature] = token.split(".");
    const promoted = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), role: Role.MINISTRY_ADMIN })).toString("base64url");
    await expect(verifier.viewerOf(`Bearer ${header}.${promoted}.${signature}`)).rejects.toThrow(/not valid/);
  });
});
