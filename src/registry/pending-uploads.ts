/** An upload session that has been opened (POST) and has no bytes yet. */
export interface PendingUpload {
  readonly id: string;
  readonly repository_id: number;
  readonly created_at: number;
}

/**
 * Upload sessions opened and not written to yet, held in this process instead of the database, for a
 * registry that is one process (the embedded SQLite backend). Most sessions are a POST followed by one
 * PUT with the whole blob: with the session in memory, that push writes no upload row and removes none
 * (three statements and a commit of the four a small blob cost). A session gets its row, and its
 * storage, when its first bytes come. Bounded: past `capacity` sessions, new ones go to the database
 * as before. A session lives as long as an upload row would (until garbage collection expires it), but
 * not across a restart: a client holding an empty session then gets BLOB_UPLOAD_UNKNOWN and starts over.
 */
export class PendingUploads {
  /** In the order they were opened, so the oldest come first. */
  private readonly sessions = new Map<string, PendingUpload>();

  constructor(private readonly capacity: number) {}

  /** Holds a new session; false when there is no room (the caller records it in the database). */
  add(session: PendingUpload): boolean {
    if (this.sessions.size >= this.capacity) return false;
    this.sessions.set(session.id, session);
    return true;
  }

  get(id: string): PendingUpload | undefined {
    return this.sessions.get(id);
  }

  /** Forgets a session (it completed, was cancelled, or now has a row). */
  delete(id: string): void {
    this.sessions.delete(id);
  }

  /** Forgets the sessions opened before `before` and returns how many (with `dryRun`, only counts them). */
  expire(before: number, dryRun = false): number {
    let expired = 0;
    for (const session of this.sessions.values()) {
      if (session.created_at >= before) break;
      if (!dryRun) this.sessions.delete(session.id);
      expired++;
    }
    return expired;
  }
}
