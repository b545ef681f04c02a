// RequestErrors that come from a passing condition (a failed connection, a
// timeout, an overloaded server), marked where they are made, where the
// cause is known. isRetryable() in errors.ts reads it; nothing else should.

/** The transient RequestErrors. */
export const TRANSIENT: WeakSet<Error> = new WeakSet();
