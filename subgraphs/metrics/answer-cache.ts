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
 * An answer past its lifetime, which no change has dropped, is still served
 * while one request computes the next (for at most another lifetime): the
 * clock moves a figure by a comment at most, and without this every
 * request arriving during the recomputation waited for it, once a second
 * (the p99 of a dashboard's question was that wait).
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
  /** The answer has come (it may be served past its lifetime while the next is computed). */
  settled: boolean;
  /** The next answer is being computed. */
  refreshing: boolean;
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
    const now = this.now();
    if (kept && kept.expiresAt > now) return kept.answer;
    if (kept?.settled && kept.expiresAt + this.ttlMs > now) {
      if (!kept.refreshing) this.refresh(key, kept, compute);
      return kept.answer;
    }
    this.answers.delete(key);
    if (this.answers.size >= this.maxAnswers) this.makeRoom();
    return this.keep(key, scope, compute()).answer;
  }

  private keep(key: string, scope: readonly string[] | null, answer: Promise<T>): CachedAnswer<T> {
    const entry: CachedAnswer<T> = { scope, expiresAt: this.now() + this.ttlMs, answer, settled: false, refreshing: false };
    this.answers.set(key, entry);
    answer.then(
      () => (entry.settled = true),
      () => this.answers.get(key) === entry && this.answers.delete(key),
    );
    return entry;
  }

  /** Computes the next answer beside the expired one, which it replaces unless a change dropped it meanwhile. */
  private refresh(key: string, expired: CachedAnswer<T>, compute: () => Promise<T>): void {
    expired.refreshing = true;
    const next = compute();
    next.then(
      () => this.answers.get(key) === expired && this.keep(key, expired.scope, next),
      // The expired answer serves until its grace ends; the next request past it computes again.
      () => (expired.refreshing = false),
    );
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
