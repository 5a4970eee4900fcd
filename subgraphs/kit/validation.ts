/**
 * Input validation with class-validator, reported the GovGraph way: one
 * problem per offending field, with its path (input.resources.0.downloadUrl)
 * and the reason. Used for GraphQL arguments and for imported rows alike.
 */
import { IsUrl, validate, type ValidationError } from "class-validator";
import type { FieldProblem } from "../../contract/errors";

function problemsOf(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ path, reason }));
    return [...own, ...problemsOf(error.children ?? [], path)];
  });
}

/** PostgreSQL cannot store NUL, and no text of the domain holds control characters (tabs and line breaks aside). */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Every string in `value` (an argument, an input, a row) that holds a control character, by path. */
export function controlCharacterProblems(value: unknown, path: string): FieldProblem[] {
  if (typeof value === "string") return CONTROL_CHARACTER.test(value) ? [{ path, reason: "contains a control character (such as NUL); remove it" }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => controlCharacterProblems(item, `${path}.${index}`));
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.entries(value).flatMap(([key, item]) => controlCharacterProblems(item, path ? `${path}.${key}` : key));
  }
  return [];
}

export async function inputProblems(input: object, prefix = ""): Promise<FieldProblem[]> {
  return [...controlCharacterProblems(input, prefix), ...problemsOf(await validate(input, { forbidUnknownValues: false }), prefix)];
}

/** A link people and the quality check follow: http or https only (no javascript:, file:, data:…). */
export const IsWebUrl = () =>
  IsUrl({ protocols: ["http", "https"], require_protocol: true, require_tld: false }, { message: "$property must be an http or https URL" });
