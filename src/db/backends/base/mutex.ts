/**
 * An async lock: SQLite allows one writer per file, and node:sqlite waits for a busy file by
 * blocking the thread, so the writers of one process take turns here instead (a transaction
 * holds the lock from BEGIN to COMMIT; an autocommit write takes it for its one statement).
 */
export class AsyncMutex {
  #held = false;
  #waiters: Array<() => void> = [];

  /** Whether someone holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock, waiting for the holders before this call. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Gives the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) {
      next();
      return;
    }
    this.#held = false;
  }
}
