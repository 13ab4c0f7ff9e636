/**
 * Polls `read` until `done` holds, for conditions that live in another process or workflow. Errors from `read`
 * (a query before the workflow's first task ran, a worker still starting) count as "not yet"; at the deadline
 * the last value or error is reported.
 */
export async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: { value: T } | { error: unknown } | undefined;
  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (done(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seen =
    last === undefined
      ? 'nothing'
      : 'value' in last
        ? JSON.stringify(last.value, null, 2)
        : String(last.error);
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last seen: ${seen}`);
}
