/**
 * The npm scripts' arguments, read one way (npm run gateway, serve, bench,
 * token, status, catalogue:*, metrics:*): `--help` or `-h` prints the script's usage
 * and exits 0; an option it does not know, a missing value, or arguments it
 * refuses after reading them (refuseArguments) print what is wrong, then the
 * usage, and exit 2, as a shell's usage error does.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { unknownAgencyCodes } from "../contract/agencies";

/** Prints what is wrong with the arguments and how to call the script, and exits. */
export function refuseArguments(usage: string, problem: string): never {
  process.stderr.write(`${problem}\n${usage}\n`);
  process.exit(2);
}

/** The script's arguments, parsed by node:util's parseArgs; exits with the usage on --help or on what parseArgs refuses. */
export function commandLine<T extends ParseArgsConfig>(usage: string, options: T): ReturnType<typeof parseArgs<T>> {
  const args = options.args ?? process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(options);
  } catch (error) {
    return refuseArguments(usage, (error as Error).message);
  }
}

/** An --agency option's code, refused in the words the API uses when it is not a code of the directory. */
export function agencyOption(usage: string, code: string | undefined): string | undefined {
  const [unknown] = unknownAgencyCodes(code === undefined ? [] : [code], "--agency");
  return unknown ? refuseArguments(usage, `--agency: ${unknown.reason}`) : code;
}
