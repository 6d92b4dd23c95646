import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import type { Request } from 'express';
import session from 'express-session';
import type { Clock } from '../common/clock';
import type { Sql } from '../database/sql';
import { SessionRecord } from './entities/session.entity';
import type { MembershipRow } from './member.query';
import { readSession } from './session.query';

const TOUCH_EVERY_MS = 60_000;
/** Sessions whose idle expiry this process last read; bounded, a miss only costs a write. */
const KNOWN_EXPIRIES_MAX = 10_000;
/** Ids issued and not stored yet: a request stores its new session within it, so the oldest can go. */
const ISSUED_MAX = 10_000;

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

export interface SessionLimits {
  /** A signed-in session ends this long after its last request… */
  idleMs: number;
  /** …and this long after sign-in at the latest. */
  absoluteMs: number;
  /** A session nobody is signed in to (a sign-in or reset form) ends this long after its last request instead. */
  anonymousMs: number;
}

/** What a session read held of its user's memberships, on the data given to express-session (not stored). */
const MEMBERSHIPS = Symbol('memberships read with the session');
type ReadWith = { userId: string; memberships: MembershipRow[] };

/** The user a session is signed in as, if any. */
function userOf(sess: session.SessionData): string | null {
  return (sess as { passport?: { user?: string } }).passport?.user ?? null;
}

/**
 * express-session store in the application database, so every instance sees every session.
 * Signed-in sessions expire after `idleMs` without a request and `absoluteMs` after sign-in (a
 * new session id is issued at sign-in, and the absolute limit is set when an id is first
 * stored). A session nobody signed in to holds only what a form needs (its CSRF secret, a
 * pending link), so it expires after `anonymousMs` without a request: a visitor's rows go
 * soon, and housekeeping deletes them.
 *
 * A session is created only under an id this process issued (`newId`, express-session's genid)
 * and has not stored yet. A request that read a session which another one then ended (sign-out,
 * a password change or reset) finds no row to update when it saves, and writes nothing: the
 * session stays ended, its absolute limit with it.
 */
export class DbSessionStore extends session.Store {
  /** The idle expiry read with each session, so that touch() writes only when it is due. */
  private readonly expiries = new Map<string, number>();
  /** Ids issued by newId and not stored yet, oldest first. */
  private readonly issued = new Set<string>();
  /** The memberships read with each request's session, while the request lives. */
  private readonly readWith = new WeakMap<Request, ReadWith>();

  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
    private readonly clock: Clock,
    private readonly limits: SessionLimits,
  ) {
    super();
  }

  /** A new session id: 24 random bytes, as express-session's own; only such an id is ever inserted. */
  readonly newId = (): string => {
    const id = randomBytes(24).toString('base64url');
    if (this.issued.size >= ISSUED_MAX) this.issued.delete(this.issued.values().next().value!);
    this.issued.add(id);
    return id;
  };

  private fork() {
    return this.em.fork({ clear: true, useContext: false });
  }

  get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.read(sid).then((v) => cb(null, v), cb);
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const row = await readSession(this.sql, sid);
    if (!row) return null;
    const now = this.clock.now().getTime();
    const expiresAt = row.expiresAt.getTime();
    if (expiresAt <= now || row.absoluteExpiresAt.getTime() <= now) {
      this.expiries.delete(sid);
      await this.fork().nativeDelete(SessionRecord, { sid });
      return null;
    }
    if (this.expiries.size >= KNOWN_EXPIRIES_MAX) this.expiries.clear();
    this.expiries.set(sid, expiresAt);
    const data = JSON.parse(row.data) as session.SessionData;
    const userId = userOf(data);
    if (userId && userId === row.userId) {
      Object.defineProperty(data, MEMBERSHIPS, { value: { userId, memberships: row.memberships } satisfies ReadWith });
    }
    return data;
  }

  /** express-session makes req.session of what get() read: the memberships read with it are kept for the request. */
  override createSession(req: Request, sess: session.SessionData): session.Session & session.SessionData {
    const read = (sess as { [MEMBERSHIPS]?: ReadWith })[MEMBERSHIPS];
    if (read) this.readWith.set(req, read);
    return super.createSession(req, sess);
  }

  /**
   * The accepted memberships of `userId` read with this request's session, if it was read
   * signed in as that user: the request reloads its member from them instead of another read.
   */
  membershipsReadFor(req: Request, userId: string): MembershipRow[] | undefined {
    const read = this.readWith.get(req);
    return read?.userId === userId ? read.memberships : undefined;
  }

  set(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.save(sid, sess).then(
      () => cb?.(),
      (e) => cb?.(e),
    );
  }

  private async save(sid: string, sess: session.SessionData): Promise<void> {
    const em = this.fork();
    const now = this.clock.now();
    const data = JSON.stringify(sess);
    const userId = userOf(sess);
    const expiresAt = new Date(now.getTime() + this.idleLimit(sess));
    const updated = await em.nativeUpdate(SessionRecord, { sid }, { data, userId, expiresAt });
    if (updated === 0) {
      // Not a session this process just issued: it was ended while the request ran.
      if (!this.issued.delete(sid)) return;
      await em.insert(SessionRecord, { sid, data, userId, expiresAt, absoluteExpiresAt: new Date(now.getTime() + this.limits.absoluteMs) });
    }
    this.expiries.set(sid, expiresAt.getTime());
  }

  /** How long a session lives without a request: short while nobody is signed in. */
  private idleLimit(sess: session.SessionData): number {
    return userOf(sess) ? this.limits.idleMs : this.limits.anonymousMs;
  }

  touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    const expiresAt = new Date(this.clock.now().getTime() + this.idleLimit(sess));
    // Push the idle expiry forward at most once a minute: a page view is then a read, not a
    // write, and the idle limit stays exact to the minute. The expiry read with the session
    // tells when no write is due; the UPDATE's own condition covers a session read elsewhere.
    const stale = new Date(expiresAt.getTime() - TOUCH_EVERY_MS);
    const known = this.expiries.get(sid);
    if (known !== undefined && known >= stale.getTime()) {
      cb?.();
      return;
    }
    this.fork()
      .nativeUpdate(SessionRecord, { sid, expiresAt: { $lt: stale } }, { expiresAt })
      .then(
        () => {
          this.expiries.set(sid, expiresAt.getTime());
          cb?.();
        },
        (e) => cb?.(e),
      );
  }

  destroy(sid: string, cb?: Callback): void {
    this.expiries.delete(sid);
    this.fork()
      .nativeDelete(SessionRecord, { sid })
      .then(
        () => cb?.(),
        (e) => cb?.(e),
      );
  }
}
