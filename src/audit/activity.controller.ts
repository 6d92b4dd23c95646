import { EntityManager, type FilterQuery } from '@mikro-orm/core';
import { Controller, Get, NotFoundException, Param, Query, Render, Req } from '@nestjs/common';
import { FormInvalid } from '../common/form-invalid';
import { isEntityId } from '../common/ids';
import type { HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { Sql } from '../database/sql';
import {
  activityListPath,
  encodeCursor,
  filterPath,
  parseActivityFilter,
  type ActivityFilter,
  type ActivityFilterValues,
} from './activity-filter';
import { ALL_BUT_SIGN_INS, KIND_GROUPS } from './activity-kinds';
import { actorName, sentenceOf } from './activity-sentences';
import { readJoinedMemberships, readLoggedPeople } from './activity.query';
import { AuditEvent } from './entities/audit-event.entity';

const ACTIVITY_PAGE_SIZE = 50;

/**
 * Activity: the partner's audit trail for its owners, newest first, one sentence per event,
 * filtered by person, kind and days, keyset-paginated. Ids stay off the list: each event's
 * page holds them for support.
 */
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
    // The dates typed are days of the reader's zone, as every time on the page is.
    // Only an id is looked up (a NUL byte would fail PostgreSQL's query): anything else is the filter's error below.
    const asked = typeof query.person === 'string' ? query.person.trim() : undefined;
    const people = await readLoggedPeople(this.sql, partnerId, isEntityId(asked) ? asked : undefined);
    const parsed = parseActivityFilter(query, req.member!.timeZone, (id) => people.some((p) => p.id === id));
    // The filters as typed, with what is wrong with them, and no events: none were looked for.
    if (!parsed.ok)
      throw new FormInvalid('activity/index', {
        ...this.page(parsed.values, people, {
          events: [],
          errors: parsed.errors,
          // A page link gone wrong: the newest of the same filters is where to start again.
          firstUrl: parsed.errors.after ? filterPath(parsed.values) : null,
        }),
        values: { ...parsed.values },
      });
    const { filter } = parsed;
    const rows = await this.em.fork().find(AuditEvent, await this.where(partnerId, filter), {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: ACTIVITY_PAGE_SIZE + 1,
    });
    const shown = rows.slice(0, ACTIVITY_PAGE_SIZE);
    const hasMore = rows.length > ACTIVITY_PAGE_SIZE;
    // Each event's page leads back to this very page of the list (encoded once for the page).
    const here = filterPath(filter.values, filter.after && encodeCursor({ createdAt: filter.after.at, id: filter.after.id }));
    const back = here === '/activity' ? '' : `?back=${encodeURIComponent(here)}`;
    return this.page(filter.values, people, {
      events: shown.map((e) => ({ at: e.createdAt, parts: sentenceOf(e), url: `/activity/${e.id}${back}` })),
      nextUrl: hasMore ? filterPath(filter.values, encodeCursor(shown[shown.length - 1])) : null,
      firstUrl: filter.after ? filterPath(filter.values) : null,
    });
  }

  /** One event in full, for support: the sentence, and every id and value it was recorded with. */
  @OwnerOnly()
  @Get(':id')
  @Render('activity/event')
  async show(@Req() req: HubRequest, @Param('id') id: string, @Query('back') back: unknown) {
    // Scoped by the partner of the session: another partner's event is simply not found.
    const e = await this.em.fork().findOne(AuditEvent, { id, partnerId: req.member!.partnerId });
    if (!e) throw new NotFoundException();
    return {
      title: 'Activity event',
      // Back to the list as it was opened from; any other value, to the list itself.
      backHref: activityListPath(back) ?? '/activity',
      event: {
        at: e.createdAt,
        parts: sentenceOf(e),
        actor: e.actorId ? actorName(e.actorLabel) : e.actorLabel,
        fields: [
          ['Event ID', e.id],
          ['Kind', e.action],
          ['Actor', e.actorLabel],
          ['Actor ID', e.actorId],
          ['Subject', e.subjectType && `${e.subjectType} ${e.subjectId ?? ''}`],
          ['IP address', e.ip],
          ['Request ID', e.requestId],
          ['Recorded at (UTC)', e.createdAt.toISOString()],
        ]
          .filter(([, value]) => value)
          .map(([label, value]) => ({ label, value })),
        data: Object.entries(e.data ?? {}).map(([key, value]) => ({
          key,
          value: typeof value === 'string' ? value : JSON.stringify(value),
        })),
      },
    };
  }

  private page(
    values: ActivityFilterValues,
    people: { id: string; label: string }[],
    result: { events: unknown[]; errors?: Record<string, string>; nextUrl?: string | null; firstUrl?: string | null },
  ) {
    const filtered = Object.values(values).some(Boolean);
    return {
      title: 'Activity',
      filter: values,
      filtered,
      people: people.map((p) => ({ value: p.id, label: p.label, selected: p.id === values.person })),
      allButSignIns: { ...ALL_BUT_SIGN_INS, selected: values.kind === ALL_BUT_SIGN_INS.value },
      kinds: KIND_GROUPS.map((g) => ({
        label: g.label,
        options: [{ value: g.value, label: g.all }, ...g.actions.map((a) => ({ value: a.action, label: a.label }))].map((o) => ({
          ...o,
          selected: o.value === values.kind,
        })),
      })),
      ...result,
      errors: result.errors ?? {},
      invalid: Object.keys(result.errors ?? {}).length > 0,
    };
  }

  /** The events a filter selects, with the keyset condition: rows strictly after the last one shown. */
  private async where(partnerId: string, filter: ActivityFilter): Promise<FilterQuery<AuditEvent>> {
    const and: FilterQuery<AuditEvent>[] = [{ partnerId }];
    if (filter.kind && 'actions' in filter.kind) and.push({ action: { $in: filter.kind.actions } });
    if (filter.kind && 'exceptActions' in filter.kind) and.push({ action: { $nin: filter.kind.exceptActions } });
    if (filter.since) and.push({ createdAt: { $gte: filter.since } });
    if (filter.until) and.push({ createdAt: { $lt: filter.until } });
    if (filter.personId) {
      // What the person did, and what was done about them: failed sign-ins and password changes
      // name them as a user, team changes by the membership they joined with.
      const memberships = await readJoinedMemberships(this.sql, partnerId, filter.personId);
      const about: FilterQuery<AuditEvent>[] = [{ actorId: filter.personId }, { subjectType: 'user', subjectId: filter.personId }];
      if (memberships.length) about.push({ subjectType: 'membership', subjectId: { $in: memberships } });
      and.push({ $or: about });
    }
    if (filter.after) {
      const c = filter.after;
      and.push({ $or: [{ createdAt: { $lt: c.at } }, { createdAt: c.at, id: { $lt: c.id } }] });
    }
    return { $and: and };
  }
}
