/** The delay before retry `attempt` (0-based): exponential, capped, with jitter (shard streams reconnecting, crashed processes restarting). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
