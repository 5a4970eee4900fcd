/**
 * `npm run token`: no rebuild of dist/ when nothing changed (the platform may
 * be running from it), each dev identity its own subject, and arguments read
 * as every script reads them (scripts/command-line.ts). The other scripts
 * used beside a running platform leave its dist/ alone too.
 */
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeJwt } from "jose";
import { projectRoot } from "../contract/config";

const run = promisify(execFile);

async function token(...args: string[]): Promise<string> {
  const { stdout } = await run("npm", ["run", "token", "--silent", "--", ...args], { cwd: projectRoot, env: process.env });
  return stdout.trim();
}

test("tokens come from the existing build, untouched, and tell their holders apart", async () => {
  const built = join(projectRoot, "dist", "scripts", "token.js");
  const before = statSync(built).mtimeMs;
  const subjects = [];
  for (const [role, agency] of [["AGENCY_STAFF", "ACA"], ["AGENCY_STAFF", "MOJ"], ["AGENCY_CIO", "ACA"], ["MINISTRY_ADMIN", undefined]] as const) {
    const claims = decodeJwt(await token("--role", role, ...(agency ? ["--agency", agency] : [])));
    expect(claims).toMatchObject({ role, ...(agency ? { agencyCode: agency } : {}) });
    subjects.push(claims.sub);
  }
  expect(subjects).toEqual(["dev-agency_staff-aca", "dev-agency_staff-moj", "dev-agency_cio-aca", "dev-ministry_admin"]);
  expect(decodeJwt(await token("--role", "AGENCY_STAFF", "--agency", "ACA", "--sub", "lin")).sub).toBe("lin");
  expect(statSync(built).mtimeMs).toBe(before);
}, 60_000);

test("the script says how to call it when asked, and what is wrong with arguments it cannot use", async () => {
  const help = await run("npm", ["run", "token", "--silent", "--", "--help"], { cwd: projectRoot, env: process.env });
  expect(help.stdout).toMatch(/^usage: npm run token -- \[--role ROLE\]/);
  const refused = (...args: string[]) =>
    run("npm", ["run", "token", "--silent", "--", ...args], { cwd: projectRoot, env: process.env }).then(
      () => {
        throw new Error(`npm run token -- ${args.join(" ")} gave a token`);
      },
      (failure: { code: number; stdout: string; stderr: string }) => failure,
    );
  for (const [args, problem] of [
    [["--role", "AGENCY_STAFF", "--agency", "aca"], '--agency: "aca" is not the code of an agency in the directory (MOJ,'],
    [["--role", "AGENCY_STAFF"], "role AGENCY_STAFF needs an agencyCode claim"],
    [["--rolee", "AGENCY_STAFF"], "Unknown option '--rolee'"],
  ] as const) {
    const failure = await refused(...args);
    expect(failure).toMatchObject({ code: 2, stdout: "" });
    expect(failure.stderr).toContain(problem);
    expect(failure.stderr).toContain("usage: npm run token");
  }
}, 60_000);

test("the scripts used beside a running platform (status, catalogue:*, metrics:*) leave its dist/ as it is", async () => {
  const started = join(projectRoot, "dist", "scripts", "start.js");
  const before = statSync(started).mtimeMs;
  for (const script of ["status", "catalogue:export", "metrics:report", "metrics:reconcile"]) {
    const { stdout } = await run("npm", ["run", script, "--silent", "--", "--help"], { cwd: projectRoot, env: process.env });
    expect(stdout).toContain(`npm run ${script}`);
  }
  expect(statSync(started).mtimeMs).toBe(before);
}, 120_000);
