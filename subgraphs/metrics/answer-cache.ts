/**
 * Progress answers, kept until the projection changes.
 *
 * A dashboard asks the same question many times between two commits, and
 * each answer costs several aggregate statements; so an answer is computed
 * once and shared by every request until one of these ends it:
 *
 * - a change of an agency in its scope (`invalidate(agencyCode)`; a
 *   ministry-wide answer has every agency in scope). Changes arrive after
 *   their commit, so an answer computed before a commit is always dropped,
 *   and one computed after it reads it;
 * - its lifetime (`ttlMs`): some figures move with the clock alone
 *   (comments become overdue, today becomes yesterday, the panel's figures
 *   are read elsewhere);
 * - a failure: a rejected answer is never kept.
 *
 * Concurrent requests for an answer being computed share that computation.
 * At most `maxAnswers` are kept (clients choose the dates they ask about):
 * a full cache first forgets expired answers, then the oldest.
 */
export interface CachedAnswer<T> {
  /** The agencies the answer covers; null: every agency. */
  scope: readonly string[] | null;
  expiresAt: number;
  answer: Promise<T>;
}

export class AnswerCache<T> {
  private readonly answers = new Map<string, CachedAnswer<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxAnswers = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The kept answer for `key`, or `compute()`'s, kept for the others. */
  get(key: string, scope: readonly string[] | null, compute: () => Promise<T>): Promise<T> {
    const kept = this.answers.get(key);
    if (kept && kept.expiresAt > this.now()) return kept.answer;
    this.answers.delete(key);
    if (this.answers.size >= this.maxAnswers) this.makeRoom();
    const entry: CachedAnswer<T> = { scope, expiresAt: this.now() + this.ttlMs, answer: compute() };
    this.answers.set(key, entry);
    entry.answer.catch(() => {
      if (this.answers.get(key) === entry) this.answers.delete(key);
    });
    return entry.answer;
  }

  /** Drops every answer whose scope includes the agency (null: every answer). */
  invalidate(agencyCode: string | null): void {
    for (const [key, entry] of this.answers) {
      if (agencyCode === null || entry.scope === null || entry.scope.includes(agencyCode)) this.answers.delete(key);
    }
  }

  private makeRoom(): void {
    const now = this.now();
    for (const [key, entry] of this.answers) if (entry.expiresAt <= now) this.answers.delete(key);
    // Insertion order: the first key is the oldest answer.
    while (this.answers.size >= this.maxAnswers) this.answers.delete(this.answers.keys().next().value!);
  }

  get size(): number {
    return this.answers.size;
  }
}
