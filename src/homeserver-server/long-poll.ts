/**
 * Long-poll `/sync`: a request with `timeout` waits until its device has something new. The
 * engine says so with `wake` effects (to-device) and the runtime after room events; a waiter is
 * woken at most once and always released by its deadline or when the client goes away.
 */

type Release = () => void;

export class Waiters {
  private readonly byDevice = new Map<string, Set<Release>>();
  private readonly all = new Set<Release>();

  private static key(userId: string, deviceId: string): string {
    return `${userId}\u0000${deviceId}`;
  }

  /** Resolves on a wake of this device or of everyone, or after `ms`; whichever is first. */
  wait(userId: string, deviceId: string, ms: number, signal?: AbortSignal): Promise<void> {
    const key = Waiters.key(userId, deviceId);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const release: Release = () => {
        if (timer !== undefined) clearTimeout(timer);
        this.byDevice.get(key)?.delete(release);
        this.all.delete(release);
        signal?.removeEventListener("abort", release);
        resolve();
      };
      timer = setTimeout(release, Math.max(0, ms));
      const set = this.byDevice.get(key) ?? new Set();
      set.add(release);
      this.byDevice.set(key, set);
      this.all.add(release);
      signal?.addEventListener("abort", release, { once: true });
    });
  }

  wake(userId: string, deviceId: string): void {
    const set = this.byDevice.get(Waiters.key(userId, deviceId));
    if (set === undefined) return;
    for (const release of [...set]) release();
    this.byDevice.delete(Waiters.key(userId, deviceId));
  }

  /** Room events may concern anyone waiting: each re-checks its own sync and waits again if not. */
  wakeAll(): void {
    for (const release of [...this.all]) release();
  }

  get size(): number {
    return this.all.size;
  }
}
