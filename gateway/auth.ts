/**
 * Users' tokens. The gateway verifies a bearer JWT (HS256 with a secret, or
 * asymmetric keys from a JWKS URL; issuer and audience checked), turns its
 * claims into a viewer, and forwards them to subgraphs signed
 * (contract/claims.ts). A request without a token is PUBLIC.
 *
 * GovGraph's own system callers (the metrics projection, the quality check:
 * contract/system-client.ts) present the internal signed claims instead of a
 * user token; the gateway accepts those for system subjects only.
 *
 * A token verified once is not verified again while it is valid
 * (VerifiedTokens, contract/claims.ts).
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { ANONYMOUS, claimsVerifier, isSystemSubject, VerifiedTokens, viewerFromClaims, type Viewer } from "../contract/claims";
import { config, type Secrets } from "../contract/config";
import { unauthenticated } from "../contract/errors";

export interface TokenVerifier {
  /** The viewer of a request, from its Authorization header value, or from a system caller's signed claims. */
  viewerOf(authorization: string | null | undefined, systemClaims?: string | null): Promise<Viewer>;
}

export function createTokenVerifier(secrets: Secrets): TokenVerifier {
  // A key object made once: given bytes, jose would import them again for every token.
  const key: KeyObject | JWTVerifyGetKey = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : createSecretKey(Buffer.from(secrets.jwtSecret, "utf8"));
  const options = {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    algorithms: config.jwksUrl ? ["RS256", "ES256", "EdDSA"] : ["HS256"],
    // A token that never expires, or names no one, is not an identity.
    requiredClaims: ["exp", "sub"],
  };
  const verified = new VerifiedTokens();
  const verifySystemClaims = claimsVerifier(secrets.internalSecret);
  return {
    async viewerOf(authorization, systemClaims) {
      if (systemClaims) {
        const system = await verifySystemClaims(systemClaims);
        if (!isSystemSubject(system.sub)) throw unauthenticated("Signed claims are accepted from GovGraph's own system callers only: send a user token instead.");
        return system;
      }
      if (!authorization) return ANONYMOUS;
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
      try {
        return await verified.viewerOf(match[1], async () => {
          const { payload } = await jwtVerify(match[1], key as KeyObject, options);
          const lifetime = payload.exp! - Math.floor(Date.now() / 1000);
          if (lifetime > config.maxTokenLifetimeSeconds) {
            throw unauthenticated(`The token is valid for ${lifetime} s more; tokens may last at most ${config.maxTokenLifetimeSeconds} s: get a shorter-lived one.`);
          }
          const viewer = viewerFromClaims(payload);
          if (typeof viewer === "string") throw unauthenticated(`The token's claims are not usable: ${viewer}.`);
          if (isSystemSubject(viewer.sub)) throw unauthenticated(`The subject "${viewer.sub}" is reserved for the gateway itself.`);
          return { viewer, expiresAt: payload.exp! };
        });
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw unauthenticated("The token has expired: get a new one.");
        if (error instanceof joseErrors.JOSEError) throw unauthenticated(`The token is not valid: ${error.message}`);
        throw error;
      }
    },
  };
}

/** A development token for any role (npm run token); signed with the local HS256 secret. */
export async function issueDevToken(viewer: Viewer, secrets: Secrets, ttl = "12h"): Promise<string> {
  return new SignJWT({ role: viewer.role, ...(viewer.agencyCode ? { agencyCode: viewer.agencyCode } : {}) })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(viewer.sub)
    .setIssuer(config.jwtIssuer)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secrets.jwtSecret));
}
