/**
 * Waiting in tests without hanging: every wait has a deadline, and a wait that runs out fails with
 * what it was waiting for. Wait on what the code under test does (a counter, a row, a message),
 * never for a fixed time.
 *
 * @module
 */

/**
 * Polls `condition` (sync or async) every `intervalMs` until it is true.
 *
 * @param condition what to wait for; an exception from it ends the wait with that exception
 * @param timeoutMs deadline (default 10 s)
 * @param what the condition in words, for the failure message
 * @param intervalMs time between two polls (default 10 ms)
 * @throws {Error} `Cannot wait for <what>: still false after <timeoutMs> ms`
 *
 * @example
 * ```ts ignore
 * await waitFor(() => handled.length === 5, 10_000, "5 handled batches");
 * ```
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
  intervalMs = 10,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) {
      throw new Error(`Cannot wait for ${what}: still false after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Settles like `promise`, or rejects once `timeoutMs` have passed (after calling `onTimeout`, e.g. to
 * kill the process the promise waits for).
 *
 * @throws {Error} `Cannot wait for <what>: nothing after <timeoutMs> ms`
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  onTimeout: () => void = () => {},
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`Cannot wait for ${what}: nothing after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
