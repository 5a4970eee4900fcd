/**
 * Input validation with class-validator, reported the GovGraph way: one
 * problem per offending field, with its path (input.resources.0.downloadUrl)
 * and the reason. Used for GraphQL arguments and for imported rows alike.
 */
import { IsIn, isUUID, IsUUID, IsUrl, validate, ValidateBy, type ValidationArguments, type ValidationError, type ValidationOptions } from "class-validator";
import type { GraphQLScalarType } from "graphql";
import { Arg, ID, type ArgOptions } from "type-graphql";
import { AGENCY_CODES, unknownAgencyCodes } from "../../contract/agencies";
import { badUserInput, type FieldProblem } from "../../contract/errors";

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

/**
 * A text of `min` to `max` characters (or, with `each`, every text of a list), refused in words a person acts on:
 * "must not be empty", "must be at most 255 characters (it has 300)", where class-validator's own Length says "must
 * be longer than or equal to 1 characters". The least is counted without the spaces around the text (full-width
 * ones too): a title of spaces shows a reader nothing, and a reason of five spaces gives none. The most is counted
 * as sent, as it is stored.
 */
export const TextLength = (min: number, max: number, options: ValidationOptions = {}) =>
  ValidateBy(
    {
      name: "textLength",
      validator: {
        validate: (text: unknown) => typeof text === "string" && text.trim().length >= min && text.length <= max,
        defaultMessage: ({ value }: ValidationArguments) => {
          const each = Array.isArray(value);
          const texts = (each ? value : [value]).map((text: unknown) => (typeof text === "string" ? text : ""));
          const longest = Math.max(...texts.map((text) => text.length));
          const shortest = Math.min(...texts.map((text) => text.trim().length));
          const counted = (length: number) => (each ? " each" : ` (it has ${length})`);
          if (longest > max) return `must be at most ${max} characters${counted(longest)}`;
          const blank = texts.some((text) => text.length > 0 && text.trim().length === 0);
          if (min === 1) return `${each ? "must not hold an empty text" : "must not be empty"}${blank ? " or only spaces" : ""}`;
          return `must be at least ${min} characters${blank || texts.some((text) => text.trim() !== text) ? " besides the spaces around it" : ""}${counted(shortest)}`;
        },
      },
    },
    options,
  );

const idReason = (entity: string, each = false) => `${each ? "each " : ""}must be ${entity} id`;

/**
 * The id of a stored entity (a UUID) in an input, refused in the domain's words ("must be a dataset id") before any
 * statement runs: PostgreSQL would refuse a malformed one as an internal error, and with it every id a loader had
 * batched beside it. `entity` names it with its article: "a dataset", "an inventory item".
 */
export const EntityId = (entity: string, options: ValidationOptions = {}) => IsUUID("all", { ...options, message: idReason(entity, options.each) });

/** The code of an agency in the directory (contract/agencies.ts) in an input, refused in the words a list's codes are. */
export const AgencyCode = () => IsIn(AGENCY_CODES, { message: ({ value }: ValidationArguments) => unknownAgencyCodes([String(value)], "")[0].reason });

/** Refuses a list of agency codes with one not in the directory, where no argument decorator reaches (a subscription's, an @ArgsType shared with the shards'). */
export function assertAgencyCodes(codes: readonly string[] | null | undefined, path: string): void {
  const problems = unknownAgencyCodes(codes, path);
  if (problems.length > 0) throw badUserInput(problems);
}

/** A query's argument checked before the resolver runs, its problems reported under its name as an input's are. */
const checkedArg = <T>(name: string, type: () => GraphQLScalarType | [GraphQLScalarType], options: ArgOptions, problemsOf: (value: T) => FieldProblem[]) =>
  Arg(name, type, {
    ...options,
    validateFn: (value) => {
      const problems = problemsOf(value as T);
      if (problems.length > 0) throw badUserInput(problems);
    },
  });

/** A query's id argument (`dataset(id:)`), checked as EntityId checks an input's field. */
export const EntityIdArg = (name: string, entity: string) =>
  checkedArg(name, () => ID, {}, (value: string) => (isUUID(value, "all") ? [] : [{ path: name, reason: idReason(entity) }]));

/** A query's optional list of agency codes (`agencies(codes:)`), each of the directory. */
export const AgencyCodesArg = (name: string) => checkedArg(name, () => [ID], { nullable: true }, (value: string[] | null | undefined) => unknownAgencyCodes(value, name));
