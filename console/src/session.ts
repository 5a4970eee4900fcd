/**
 * Who uses the console: a bearer token (minted on the development sign-in
 * page, or given by the identity provider) and the role and agency it says.
 * The role is read from the token only to decide what to show; the gateway
 * verifies the token and the API decides what is allowed.
 */
export type Role = "PUBLIC" | "AGENCY_STAFF" | "AGENCY_CIO" | "MINISTRY_ADMIN" | "PANEL_MEMBER";
export const ROLES: Role[] = ["PUBLIC", "AGENCY_STAFF", "AGENCY_CIO", "MINISTRY_ADMIN", "PANEL_MEMBER"];
export const AGENCY_ROLES: ReadonlySet<Role> = new Set(["AGENCY_STAFF", "AGENCY_CIO"]);

export interface Session {
  token?: string;
  role: Role;
  agencyCode?: string;
}

const KEY = "govgraph.session";
export const ANONYMOUS: Session = { role: "PUBLIC" };

/** The claims a token carries, for display; not verified here (the gateway does that). */
export function sessionFromToken(token: string): Session | string {
  const part = token.split(".")[1];
  if (!part) return "not a JWT";
  try {
    const claims = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/"))) as { role?: string; agencyCode?: string };
    if (!ROLES.includes(claims.role as Role)) return `unknown role ${String(claims.role)}`;
    return { token, role: claims.role as Role, agencyCode: claims.agencyCode };
  } catch {
    return "not a JWT";
  }
}

export function loadSession(): Session {
  try {
    const stored = sessionStorage.getItem(KEY);
    return stored ? (JSON.parse(stored) as Session) : ANONYMOUS;
  } catch {
    return ANONYMOUS;
  }
}

export function saveSession(session: Session): void {
  if (session.token) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
