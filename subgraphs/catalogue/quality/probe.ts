/**
 * Fetching a resource the way the quality check judges it: the link is
 * valid when it answers 2xx after redirects within the timeout; the data is
 * directly downloadable when what comes back is the file itself, not an
 * HTML page (a landing or error page where a file was declared). Only the
 * first bytes are read: enough for the encoding and the header.
 *
 * The URLs are typed in by agency staff, and the outcome is published, so
 * the check must not become a way to scan the platform's own network: only
 * http and https, and never an address that is not public (loopback,
 * private, link-local and cloud metadata, carrier-grade NAT, multicast,
 * reserved), checked on the address actually connected to (after DNS
 * resolution, so a name cannot point inside) and again on every redirect,
 * which are followed one by one. `allowed` (GOVGRAPH_FETCH_ALLOW, in the
 * quality settings) lists intranet addresses that may be fetched nonetheless.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";

const MAX_REDIRECTS = 5;

/** Addresses that are not on the public internet (IPv4-mapped IPv6 addresses are checked as IPv4). */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.0.2.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["224.0.0.0", 3],
] as const) NOT_PUBLIC.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [["::", 127], ["64:ff9b::", 96], ["100::", 64], ["2001:db8::", 32], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  NOT_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** The allow-list: addresses ("10.1.2.3") and ranges ("10.0.0.0/8", "fd00::/8"). */
export function allowList(entries: readonly string[]): BlockList {
  const allowed = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (!isIP(address)) throw new Error(`GOVGRAPH_FETCH_ALLOW: "${entry}" is not an address or a range`);
    if (prefix === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(prefix), family);
  }
  return allowed;
}

/** No exception: only public addresses. */
const NOTHING_ALLOWED = new BlockList();

/** Why the check may not connect to `address`, or null. */
export function refusedAddress(address: string, allowed: BlockList = NOTHING_ALLOWED): string | null {
  const family = isIP(address) === 6 ? "ipv6" : "ipv4";
  if (!NOT_PUBLIC.check(address, family) || allowed.check(address, family)) return null;
  return "its address is not public (loopback, private, link-local or reserved); an intranet address must be allowed with GOVGRAPH_FETCH_ALLOW";
}

class RefusedAddress extends Error {}

/** A DNS lookup that fails rather than return an address the check may not connect to. */
function guardedLookup(allowed: BlockList) {
  return (hostname: string, options: { all?: boolean }, callback: (error: Error | null, address?: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error);
      const refused = addresses.map((entry) => refusedAddress(entry.address, allowed)).find(Boolean);
      if (refused) return callback(new RefusedAddress(refused));
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export interface Probe {
  linkValid: boolean;
  directDownload: boolean;
  status: number | null;
  finalUrl: string | null;
  contentType: string | null;
  /** The first bytes of the body (at most `maxBytes`), when the link answered. */
  head: Uint8Array | null;
  error: string | null;
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const start = new TextDecoder("utf-8").decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return start.startsWith("<!doctype html") || start.startsWith("<html");
}

function get(url: URL, signal: AbortSignal, allowed: BlockList): Promise<IncomingMessage> {
  return new Promise((resolveResponse, reject) => {
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send(url, { method: "GET", signal, lookup: guardedLookup(allowed) as never, headers: { "user-agent": "GovGraph quality check" } }, resolveResponse);
    request.on("error", reject);
    request.end();
  });
}

async function readHead(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of response) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= maxBytes) break;
  }
  response.destroy();
  return new Uint8Array(Buffer.concat(chunks).subarray(0, maxBytes));
}

/** Why a guarded fetch got no file: the reason, where it ended, and the status and type of a non-2xx answer. */
export class FetchFailure extends Error {
  constructor(
    message: string,
    readonly finalUrl: string | null,
    readonly status: number | null = null,
    readonly contentType: string | null = null,
  ) {
    super(message);
  }
}

export interface Opened {
  response: IncomingMessage;
  finalUrl: string;
  status: number;
  contentType: string | null;
}

/**
 * GETs `url` under the rules above, following redirects one by one, until a
 * 2xx answer whose body is left to the caller (who must consume or destroy
 * it); anything else throws a FetchFailure. The probe reads the first
 * bytes; the de-identification scan and the datastore stream the whole file.
 */
export async function openGuarded(url: string, signal: AbortSignal, allowed: BlockList = NOTHING_ALLOWED): Promise<Opened> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    throw new FetchFailure("not a URL", null);
  }
  try {
    for (let hop = 0; ; hop += 1) {
      if (current.protocol !== "http:" && current.protocol !== "https:") throw new FetchFailure(`refused: ${current.protocol} is not http or https`, current.href);
      // A literal address is connected to without a lookup: check it here.
      const literal = current.hostname.replace(/^\[|\]$/g, "");
      const refused = isIP(literal) ? refusedAddress(literal, allowed) : null;
      if (refused) throw new FetchFailure(`refused: ${refused}`, current.href);
      const response = await get(current, signal, allowed);
      const status = response.statusCode ?? 0;
      const contentType = response.headers["content-type"] ?? null;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (hop === MAX_REDIRECTS) throw new FetchFailure(`more than ${MAX_REDIRECTS} redirects`, current.href);
        current = new URL(location, current);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.destroy();
        throw new FetchFailure(`HTTP ${status}`, current.href, status, contentType);
      }
      return { response, finalUrl: current.href, status, contentType };
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    if (error instanceof RefusedAddress) throw new FetchFailure(`refused: ${error.message}`, current.href);
    if (signal.aborted) throw new FetchFailure("no answer in time", current.href);
    throw new FetchFailure(error instanceof Error ? error.message : String(error), current.href);
  }
}

export async function probeResource(
  url: string,
  declaredFormat: string,
  { timeoutMs = 10_000, maxBytes = 64 * 1024, allowed = NOTHING_ALLOWED }: { timeoutMs?: number; maxBytes?: number; allowed?: BlockList } = {},
): Promise<Probe> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const { response, finalUrl, status, contentType } = await openGuarded(url, signal, allowed);
    const head = await readHead(response, maxBytes);
    const declaredHtml = /^html?$/i.test(declaredFormat.trim());
    const html = Boolean(contentType?.toLowerCase().includes("text/html")) || looksLikeHtml(head);
    return { linkValid: true, directDownload: declaredHtml || !html, status, finalUrl, contentType, head, error: null };
  } catch (error) {
    if (!(error instanceof FetchFailure)) throw error;
    const reason = error.message === "no answer in time" ? `no answer within ${timeoutMs} ms` : error.message;
    return { linkValid: false, directDownload: false, status: error.status, finalUrl: error.finalUrl, contentType: error.contentType, head: null, error: reason };
  }
}
