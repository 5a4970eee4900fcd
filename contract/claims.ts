/**
 * Who is asking. The gateway verifies the user's token, then forwards the
 * verified claims to subgraphs as a short-lived HS256 JWS in one header; a
 * subgraph trusts nothing else a client sends. Roles are those of
 * ../shared/design/ARCHITECTURE.md; agency roles are bound to exactly one agency code.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import { unauthenticated } from "./errors";

export const Role = {
  PUBLIC: "PUBLIC",
  AGENCY_STAFF: "AGENCY_STAFF",
  AGENCY_CIO: "AGENCY_CIO",
  MINISTRY_ADMIN: "MINISTRY_ADMIN",
  PANEL_MEMBER: "PANEL_MEMBER",
} as const;
export type Role = (typeof Role)[keyof typeof Role];

const agencyRoles: ReadonlySet<Role> = new Set([Role.AGENCY_STAFF, Role.AGENCY_CIO]);

export interface Viewer {
  /** Subject of the user's token; "anonymous" for PUBLIC requests without one. */
  sub: string;
  role: Role;
  /** Set for agency roles only: the one agency whose shard this user may write. */
  agencyCode?: string;
  /** Who is calling, for rate limits: the token's subject, or an anonymous caller's address. Set by the gateway. */
  client?: string;
}

export const ANONYMOUS: Viewer = Object.freeze({ sub: "anonymous", role: Role.PUBLIC });

/**
 * Subjects the gateway itself acts as (never a user's): the gateway refuses
 * user tokens that claim one, so only holders of the internal secret can.
 */
export const SYSTEM_SUBJECTS = {
  TRANSFER_RELAY: "system:transfer-relay",
  REGISTRY: "system:registry",
  QUALITY_CHECK: "system:quality-check",
  METRICS: "system:metrics",
  /** The gateway's shared event streams, filtered per subscriber at the gateway (gateway/shard-router/event-hub.ts). */
  EVENT_HUB: "system:event-hub",
} as const;
export type SystemSubject = (typeof SYSTEM_SUBJECTS)[keyof typeof SYSTEM_SUBJECTS];
export const isSystemSubject = (sub: string) => sub.startsWith("system:");

/** The header that carries the gateway's signed claims to a subgraph. */
export const CLAIMS_HEADER = "x-govgraph-claims";
const CLAIMS_ISSUER = "govgraph-gateway";
const CLAIMS_AUDIENCE = "govgraph-subgraph";

/** Reads a viewer out of untrusted claims; returns a reason instead when they do not describe one. */
export function viewerFromClaims(claims: Record<string, unknown>): Viewer | string {
  const { sub, role, agencyCode, client } = claims;
  if (typeof role !== "string" || !Object.hasOwn(Role, role)) return `unknown role "${String(role)}"`;
  const subject = typeof sub === "string" && sub !== "" ? sub : "anonymous";
  const caller = typeof client === "string" && client !== "" ? { client } : {};
  if (agencyRoles.has(role as Role)) {
    if (typeof agencyCode !== "string" || agencyCode === "") return `role ${role} needs an agencyCode claim`;
    return { sub: subject, role: role as Role, agencyCode, ...caller };
  }
  return { sub: subject, role: role as Role, ...caller };
}

const keys = new Map<string, KeyObject>();

/** The secret as a key object, made once: given bytes, jose would import them again on every signature and check. */
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, "utf8"));
    keys.set(secret, key);
  }
  return key;
}

export async function signClaims(viewer: Viewer, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT({
    role: viewer.role,
    ...(viewer.agencyCode ? { agencyCode: viewer.agencyCode } : {}),
    ...(viewer.client ? { client: viewer.client } : {}),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(viewer.sub)
    .setIssuer(CLAIMS_ISSUER)
    .setAudience(CLAIMS_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyOf(secret));
}

/** How many viewers' claims a signer, and how many tokens a verifier, remembers: the least recently used are forgotten first. */
const REMEMBERED = 10_000;

/**
 * Signs each viewer's claims once per half their lifetime and hands out the same claims meanwhile, so a subgraph
 * still has at least half of it to accept them in: for a caller that signs for many requests (the gateway, where
 * signing was 3 % of its CPU under load).
 */
export function claimsSigner(secret: string, ttlSeconds: number): (viewer: Viewer) => Promise<string> {
  const signed = new LRUCache<string, string>({ max: REMEMBERED, ttl: Math.max(1, ttlSeconds * 500) });
  return async (viewer) => {
    const key = [viewer.sub, viewer.role, viewer.agencyCode ?? "", viewer.client ?? ""].join("\n");
    let claims = signed.get(key);
    if (claims === undefined) signed.set(key, (claims = await signClaims(viewer, secret, ttlSeconds)));
    return claims;
  };
}

/**
 * What verified tokens said, keyed by their exact bytes, each kept until the token's own expiry: the same bytes carry
 * the same signature and claims, so verifying them again proves nothing new (verifying was 3 % of the gateway's CPU
 * under load, and 1.5 to 4 % of a subgraph's). The viewers kept are frozen: every request holding one shares it.
 */
export class VerifiedTokens {
  private readonly viewers = new LRUCache<string, Viewer>({ max: REMEMBERED });

  /** The viewer `token` names: the one remembered while it is valid, or `verify`'s (given the token's `exp`, in seconds), remembered until then. */
  async viewerOf(token: string, verify: () => Promise<{ viewer: Viewer; expiresAt: number }>): Promise<Viewer> {
    const known = this.viewers.get(token);
    if (known) return known;
    const { viewer, expiresAt } = await verify();
    const untilExpiry = Math.floor(expiresAt * 1000 - Date.now());
    const shared = Object.freeze(viewer);
    if (untilExpiry >= 1) this.viewers.set(token, shared, { ttl: untilExpiry });
    return shared;
  }
}

/**
 * Verifies forwarded claims (any missing, stale or wrongly signed header is UNAUTHENTICATED) for a server that sees
 * the same claims many times, a subgraph or the gateway's check of its system callers: each header verified once.
 */
export function claimsVerifier(secret: string): (header: string | undefined) => Promise<Viewer> {
  const verified = new VerifiedTokens();
  return async (header) => {
    if (!header) throw unauthenticated(`This subgraph only answers requests signed by the gateway (missing ${CLAIMS_HEADER}).`);
    return verified.viewerOf(header, () => readClaims(header, secret));
  };
}

async function readClaims(header: string, secret: string): Promise<{ viewer: Viewer; expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(header, keyOf(secret), {
      issuer: CLAIMS_ISSUER,
      audience: CLAIMS_AUDIENCE,
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    });
    const viewer = viewerFromClaims(payload);
    if (typeof viewer === "string") throw unauthenticated(`Forwarded claims are invalid: ${viewer}.`);
    return { viewer, expiresAt: payload.exp! };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthenticated("Forwarded claims have expired.");
    if (error instanceof joseErrors.JOSEError) throw unauthenticated(`Forwarded claims are not valid: ${error.message}`);
    throw error;
  }
}
