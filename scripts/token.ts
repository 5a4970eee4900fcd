/**
 * npm run token -- --role AGENCY_CIO --agency ACA [--sub alice] [--ttl 12h]
 * Prints a development token for the local gateway. Builds dist/ only when a
 * source changed (scripts/fresh-build.mjs).
 */
import { issueDevToken } from "../gateway/auth";
import { viewerFromClaims, Role } from "../contract/claims";
import { AGENCY_CODES } from "../contract/agencies";
import { loadSecrets } from "../contract/config";
import { agencyOption, commandLine, refuseArguments } from "./command-line";

const USAGE = `usage: npm run token -- [--role ROLE] [--agency CODE] [--sub SUBJECT] [--ttl 12h]
  ROLE: ${Object.keys(Role).join(", ")} (default ${Role.PUBLIC}); an agency's roles need --agency
  CODE: ${AGENCY_CODES.join(", ")}`;

async function main(): Promise<void> {
  const { values } = commandLine(USAGE, {
    options: {
      role: { type: "string", default: Role.PUBLIC },
      agency: { type: "string" },
      sub: { type: "string" },
      ttl: { type: "string", default: "12h" },
    },
  });
  agencyOption(USAGE, values.agency);
  // Each dev identity its own subject (dev-agency_cio-aca), so a history tells who acted.
  const subject = ["dev", values.role, values.agency].filter(Boolean).join("-").toLowerCase();
  const viewer = viewerFromClaims({ role: values.role, agencyCode: values.agency, sub: values.sub ?? subject });
  if (typeof viewer === "string") refuseArguments(USAGE, viewer);
  console.log(await issueDevToken(viewer, loadSecrets(), values.ttl));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
