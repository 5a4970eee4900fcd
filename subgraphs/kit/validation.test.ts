import "reflect-metadata";
import { IsOptional } from "class-validator";
import { EntityId, inputProblems, TextLength } from "./validation";

class Comment {
  @TextLength(1, 5)
  title!: string;

  @TextLength(3, 10)
  reason!: string;

  @IsOptional()
  @TextLength(1, 3, { each: true })
  keywords?: string[];
}

const comment = (fields: Partial<Comment>) => Object.assign(new Comment(), { title: "t", reason: "because", ...fields });

test("a text of the right length passes", async () => {
  expect(await inputProblems(comment({ keywords: ["abc", "d"] }), "input")).toEqual([]);
});

test("a text out of bounds is refused in words: empty, too long by how much, too short", async () => {
  expect(await inputProblems(comment({ title: "" }), "input")).toEqual([{ path: "input.title", reason: "must not be empty" }]);
  expect(await inputProblems(comment({ title: "123456" }), "input")).toEqual([{ path: "input.title", reason: "must be at most 5 characters (it has 6)" }]);
  expect(await inputProblems(comment({ reason: "no" }), "input")).toEqual([{ path: "input.reason", reason: "must be at least 3 characters (it has 2)" }]);
});

test("a text of spaces is as empty as no text, and the least is counted without the spaces around a text", async () => {
  expect(await inputProblems(comment({ title: "   " }), "input")).toEqual([{ path: "input.title", reason: "must not be empty or only spaces" }]);
  expect(await inputProblems(comment({ title: "\u3000" }), "input")).toEqual([{ path: "input.title", reason: "must not be empty or only spaces" }]);
  expect(await inputProblems(comment({ reason: " no  " }), "input")).toEqual([{ path: "input.reason", reason: "must be at least 3 characters besides the spaces around it (it has 2)" }]);
  expect(await inputProblems(comment({ keywords: ["abc", "  "] }), "input")).toEqual([{ path: "input.keywords", reason: "must not hold an empty text or only spaces" }]);
  // Spaces inside a text count, and so do those around one long enough.
  expect(await inputProblems(comment({ title: " a b ", reason: "a b" }), "input")).toEqual([]);
});

test("with each, every text of a list is checked", async () => {
  expect(await inputProblems(comment({ keywords: ["abc", "abcd"] }), "input")).toEqual([{ path: "input.keywords", reason: "must be at most 3 characters each" }]);
  expect(await inputProblems(comment({ keywords: ["abc", ""] }), "input")).toEqual([{ path: "input.keywords", reason: "must not hold an empty text" }]);
});

class Attendance {
  @EntityId("a meeting")
  meetingId!: string;

  @EntityId("a panel member", { each: true })
  memberIds!: string[];
}

test("an entity's id is a UUID, and anything else is refused naming the entity", async () => {
  const attendance = (fields: Partial<Attendance>) => Object.assign(new Attendance(), { meetingId: "7f9c1e1a-3a5b-4c1d-9a43-2b6f0c8e5d11", memberIds: [], ...fields });
  expect(await inputProblems(attendance({}), "input")).toEqual([]);
  expect(await inputProblems(attendance({ meetingId: "A03000000B-000001", memberIds: ["7f9c1e1a-3a5b-4c1d-9a43-2b6f0c8e5d11", "2"] }), "input")).toEqual([
    { path: "input.meetingId", reason: "must be a meeting id" },
    { path: "input.memberIds", reason: "each must be a panel member id" },
  ]);
});
