import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { BadRequestException, Controller, Get, Query, Render, Req } from '@nestjs/common';
import type { HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { Sql } from '../database/sql';
import { readLoggedActions, readLoggedActors } from './activity.query';
import { AuditEvent } from './entities/audit-event.entity';

const ACTIVITY_PAGE_SIZE = 50;

/** What each action means to the owner reading the log; unknown actions show as they are. */
const ACTION_LABELS: Record<string, string> = {
  'auth.signed_in': 'Signed in',
  'auth.signed_out': 'Signed out',
  'auth.password_reset': 'Reset their password',
  'auth.password_changed': 'Changed their password',
  'auth.sign_in_failed': 'Failed sign-in (wrong password)',
  'auth.sign_in_locked': 'Sign-in paused after failed attempts',
  'partner.created': 'Partner created',
  'team.invited': 'Invited someone',
  'team.invitation_resent': 'Resent an invitation',
  'team.invitation_revoked': 'Revoked an invitation',
  'team.joined': 'Joined the team',
  'team.role_changed': 'Changed a role',
  'team.removed': 'Removed someone',
  'accounts.exported': 'Downloaded the CSV',
  'revocation.requested': 'Requested payment revocation',
  'revocation.withdrawn': 'Withdrew a payment revocation',
  'revocation.billing_ended': 'Partner billing ended',
  'revocation.number_removed': 'Number removed from the hub',
  'partner.terms_changed': 'Contract terms changed',
};

/** The keyset cursor: the created-at and id of the last event shown. */
function encodeCursor(e: AuditEvent): string {
  return Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString('base64url');
}

function decodeCursor(raw: string): { at: Date; id: string } {
  const [iso, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (!id || Number.isNaN(at.getTime()) || id.length > 32) throw new BadRequestException('This page link is not valid.');
  return { at, id };
}

function one(value: unknown, max = 200): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) throw new BadRequestException('A filter could not be read.');
  return value;
}

/** Activity: the partner's audit trail for its owners, newest first, filtered, keyset-paginated. */
@Controller('activity')
export class ActivityController {
  constructor(
    private readonly em: EntityManager,
    private readonly sql: Sql,
  ) {}

  @OwnerOnly()
  @Get()
  @Render('activity/index')
  async index(@Req() req: HubRequest, @Query() query: Record<string, unknown>) {
    const partnerId = req.member!.partnerId;
    const action = one(query.action, 64);
    const actor = one(query.actor, 32);
    const after = one(query.after, 200);
    const em = this.em.fork();

    const where: FilterQuery<AuditEvent> = { partnerId };
    if (action) where.action = action;
    if (actor) where.actorId = actor;
    if (after) {
      // Keyset pagination: rows strictly older than the last one shown; no OFFSET to scan.
      const c = decodeCursor(after);
      where.$or = [{ createdAt: { $lt: c.at } }, { createdAt: c.at, id: { $lt: c.id } }];
    }
    const rows = await em.find(AuditEvent, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: ACTIVITY_PAGE_SIZE + 1 });
    const hasMore = rows.length > ACTIVITY_PAGE_SIZE;
    const events = rows.slice(0, ACTIVITY_PAGE_SIZE).map((e) => ({
      at: e.createdAt,
      who: e.actorLabel,
      action: e.action,
      label: ACTION_LABELS[e.action] ?? e.action,
      details: describe(e.data),
      ip: e.ip ?? '',
    }));
    const next = hasMore
      ? new URLSearchParams({ ...(action && { action }), ...(actor && { actor }), after: encodeCursor(rows[ACTIVITY_PAGE_SIZE - 1]) })
      : null;

    // The filters offer what this partner's log holds, people who have left included.
    const actions = await readLoggedActions(this.sql, partnerId);
    const people = await readLoggedActors(this.sql, partnerId);

    return {
      title: 'Activity',
      events,
      filter: { action: action ?? '', actor: actor ?? '' },
      actions: actions.map((a) => ({ value: a, label: ACTION_LABELS[a] ?? a })),
      people: people.map((p) => ({ value: p.id, label: p.label })),
      nextUrl: next ? `/activity?${next.toString()}` : null,
      firstUrl: after ? `/activity?${new URLSearchParams({ ...(action && { action }), ...(actor && { actor }) }).toString()}` : null,
    };
  }
}

/** A short, plain description of an event's data (escaped by the view like everything else). */
function describe(data: Record<string, unknown> | null | undefined): string {
  if (!data) return '';
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ')
    .slice(0, 300);
}
