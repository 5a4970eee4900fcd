/**
 * Input validation with class-validator, reported the GovGraph way: one
 * problem per offending field, with its path (input.resources.0.downloadUrl)
 * and the reason. Used for GraphQL arguments and for imported rows alike.
 */
import { validate, type ValidationError } from "class-validator";
import type { FieldProblem } from "../../contract/errors";

function problemsOf(errors: ValidationError[], prefix: string): FieldProblem[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((reason) => ({ path, reason }));
    return [...own, ...problemsOf(error.children ?? [], path)];
  });
}

export async function inputProblems(input: object, prefix = ""): Promise<FieldProblem[]> {
  return problemsOf(await validate(input, { forbidUnknownValues: false }), prefix);
}
