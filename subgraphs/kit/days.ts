/**
 * A range of days asked for with `from` and `to` (a list of meetings, a
 * figure's history): a reversed one would answer an empty list, which reads
 * as "nothing happened"; it is a mistake to name instead.
 */
import { badUserInput } from "../../contract/errors";

/** Refuses `to` before `from` (BAD_USER_INPUT on `to`); either may be left out. */
export function assertDayRange(from: string | undefined, to: string | undefined): void {
  if (from !== undefined && to !== undefined && from > to) throw badUserInput([{ path: "to", reason: `must be on or after from (${from})` }]);
}
