import "reflect-metadata";
import { IsOptional } from "class-validator";
import { inputProblems, TextLength } from "./validation";

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

test("with each, every text of a list is checked", async () => {
  expect(await inputProblems(comment({ keywords: ["abc", "abcd"] }), "input")).toEqual([{ path: "input.keywords", reason: "must be at most 3 characters each" }]);
  expect(await inputProblems(comment({ keywords: ["abc", ""] }), "input")).toEqual([{ path: "input.keywords", reason: "must not hold an empty text" }]);
});
