/**
 * What the gateway serves besides GraphQL: the web console (built into
 * dist/console by `npm run build`) at /, its trusted documents, and, in
 * development, the sign-in endpoint that mints dev tokens.
 */
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize } from "node:path";
import { AGENCY_CODES } from "../contract/agencies";
import { Role, type Viewer } from "../contract/claims";
import { config, type Secrets } from "../contract/config";
import { issueDevToken } from "./auth";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The console's documents by id (SHA-256 of the text), as the build wrote them; empty when the console is not built. */
export function loadTrustedDocuments(dir: string): Map<string, string> {
  const file = join(dir, "persisted-documents.json");
  return new Map(existsSync(file) ? Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : []);
}

/** Why a dev sign-in request cannot be honoured, or the viewer it asks for. */
export function devViewer(body: unknown): Viewer | string {
  const { role, agencyCode } = (body ?? {}) as { role?: unknown; agencyCode?: unknown };
  if (typeof role !== "string" || !Object.hasOwn(Role, role)) return `role must be one of ${Object.keys(Role).join(", ")}`;
  const needsAgency = role === Role.AGENCY_STAFF || role === Role.AGENCY_CIO;
  if (needsAgency && !AGENCY_CODES.includes(String(agencyCode))) return `${role} needs agencyCode, one of ${AGENCY_CODES.join(", ")}`;
  if (!needsAgency && agencyCode !== undefined) return `${role} is not bound to an agency: leave agencyCode out`;
  const sub = `dev-${role.toLowerCase()}${needsAgency ? `-${String(agencyCode).toLowerCase()}` : ""}`;
  return { sub, role: role as Role, ...(needsAgency ? { agencyCode: String(agencyCode) } : {}) };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) throw new Error("the request body is too large");
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * Handles the console's requests and returns true, or returns false for the
 * GraphQL runtime to handle (/graphql, /healthcheck, /readiness).
 */
export function consoleHandler(dir: string, secrets: Secrets): (req: IncomingMessage, res: ServerResponse) => boolean {
  const files = new Map<string, { type: string; body: Buffer; gzip?: Buffer }>();
  for (const name of ["index.html", "app.js", "app.css"]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    files.set(`/${name}`, { type: CONTENT_TYPES[extname(name)], body: readFileSync(path), gzip: existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`) : undefined });
  }
  return (req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://localhost").pathname);
    if (path === "/console/dev-token" && req.method === "POST") {
      // With an external identity provider, or in production, the local secret signs nothing anyone should trust.
      if (!config.devSignIn) {
        send(res, 403, { error: "Development sign-in is off here (GOVGRAPH_JWKS_URL or NODE_ENV=production): sign in with your identity provider." });
        return true;
      }
      readJson(req)
        .then(async (body) => {
          const viewer = devViewer(body);
          if (typeof viewer === "string") send(res, 400, { error: viewer });
          else send(res, 200, { token: await issueDevToken(viewer, secrets) });
        })
        .catch((error: unknown) => send(res, 400, { error: `Send JSON like {"role":"AGENCY_STAFF","agencyCode":"ACA"}: ${String(error)}` }));
      return true;
    }
    const file = files.get(path === "/" ? "/index.html" : path);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const gzip = file.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    res.writeHead(200, {
      "content-type": file.type,
      // index.html is read on every visit so a new build's script is picked up; the rest may be cached briefly.
      "cache-control": path.endsWith(".html") || path === "/" ? "no-cache" : "max-age=300",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : gzip ? file.gzip : file.body);
    return true;
  };
}
