import type { Request } from 'express';

export interface CurrentMember {
  userId: string;
  userName: string;
  email: string;
  partnerId: string;
  partnerName: string;
  partnerSlug: string;
  role: 'owner' | 'member';
  membershipId: string;
  /** The IANA zone the person reads times in: their choice, else the partner's billing time zone. */
  timeZone: string;
}

export interface SessionData {
  passport?: { user?: string };
  csrfSecret?: string;
  partnerId?: string;
  flash?: { kind: 'notice' | 'alert'; message: string }[];
  /** Invitation / reset token moved out of the URL into the session. */
  pendingToken?: string;
  /** The list layout chosen lately in this browser, and when (ListPreferences' RecentChoice). */
  listView?: { view: string; at: number };
}

/** The request as our middleware leaves it. */
export type HubRequest = Request & {
  id: string;
  member?: CurrentMember;
  memberships?: { partnerId: string; partnerName: string }[];
  session: Request['session'] & SessionData;
};

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * Where a change came from, as services need it (audit events, rate-limit keys, logs): the
 * request's id and client address, without the request itself. Jobs and the CLI pass none.
 */
export interface RequestOrigin {
  requestId: string;
  ip: string;
}

export function originOf(req: HubRequest): RequestOrigin {
  return { requestId: req.id, ip: clientIp(req) };
}
