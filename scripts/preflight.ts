/**
 * What `npm start` checks before it starts anything, so that a start that
 * cannot work stops at once and says why and what to do, instead of waiting
 * for a readiness that never comes.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Ports that browsers and Node's fetch refuse to connect to (the "bad ports"
 * of the WHATWG Fetch standard): a server can listen there, but no readiness
 * probe and no browser can reach it.
 */
export const BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
  989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Why `what` cannot listen on `port` (set by `variable`), or null. */
export function portProblem(port: number, what: string, variable: string): string | null {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return `${what} would listen on port ${port}, which is not a TCP port (1–65535): set ${variable} to a lower port.`;
  }
  if (BAD_PORTS.has(port)) {
    return `${what} would listen on port ${port}, which browsers and Node's fetch refuse to connect to (a "bad port" of the Fetch standard, like 6000 and 6665–6669): set ${variable} to another port, e.g. 4000.`;
  }
  return null;
}

/**
 * The first of `folders` or their parents that users other than the owner
 * cannot enter (no x bit for others), or null. Run as root, the embedded
 * PostgreSQL runs its programs as the `postgres` user, which must enter every
 * folder above its binaries and its data: a project in /root or in a fresh
 * `mktemp -d` otherwise dies with `spawn …/initdb EACCES`.
 */
export function folderClosedToOthers(folders: string[]): string | null {
  for (const folder of folders) {
    for (let dir = resolve(folder); ; dir = dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  return null;
}

export function closedFolderAdvice(dir: string): string {
  const mode = (statSync(dir).mode & 0o777).toString(8);
  return (
    `Running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot enter ${dir} (mode ${mode}). ` +
    `Either move the project (and GOVGRAPH_DATA_DIR) under a folder every user may enter, such as /srv or /opt; ` +
    `or let other users enter it: chmod o+x ${dir}; or run as a user other than root; ` +
    `or set DATABASE_URL to a PostgreSQL server you run.`
  );
}
