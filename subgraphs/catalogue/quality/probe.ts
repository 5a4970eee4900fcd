/**
 * Fetching a resource the way the quality check judges it: the link is
 * valid when it answers 2xx after redirects within the timeout; the data is
 * directly downloadable when what comes back is the file itself, not an
 * HTML page (a landing or error page where a file was declared). Only the
 * first bytes are read: enough for the encoding and the header.
 */
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

async function readHead(response: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await reader.cancel().catch(() => undefined);
  const head = new Uint8Array(Math.min(length, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    head.set(chunk.subarray(0, head.length - offset), offset);
    offset += chunk.length;
    if (offset >= head.length) break;
  }
  return head;
}

export async function probeResource(url: string, declaredFormat: string, { timeoutMs = 10_000, maxBytes = 64 * 1024 } = {}): Promise<Probe> {
  try {
    const response = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(timeoutMs), headers: { "user-agent": "GovGraph quality check" } });
    const contentType = response.headers.get("content-type");
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { linkValid: false, directDownload: false, status: response.status, finalUrl: response.url, contentType, head: null, error: `HTTP ${response.status}` };
    }
    const head = await readHead(response, maxBytes);
    const declaredHtml = /^html?$/i.test(declaredFormat.trim());
    const html = Boolean(contentType?.toLowerCase().includes("text/html")) || looksLikeHtml(head);
    return { linkValid: true, directDownload: declaredHtml || !html, status: response.status, finalUrl: response.url, contentType, head, error: null };
  } catch (error) {
    const reason = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message) : String(error);
    return { linkValid: false, directDownload: false, status: null, finalUrl: null, contentType: null, head: null, error: reason };
  }
}
