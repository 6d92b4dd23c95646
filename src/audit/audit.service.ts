import type { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentMember, HubRequest } from '../common/http';
import { clientIp } from '../common/http';
import { Partner } from '../partners/entities/partner.entity';
import { User } from '../users/entities/user.entity';
import { AuditEvent } from './entities/audit-event.entity';

export type AuditActor = { id: string; name: string; email: string };

/** The signed-in member as the actor of an event. */
export function actorOf(member: CurrentMember): AuditActor {
  return { id: member.userId, name: member.userName, email: member.email };
}

export interface AuditInput {
  action: string;
  partnerId?: string | null;
  actor?: AuditActor | null;
  subjectType?: string;
  subjectId?: string;
  data?: Record<string, unknown>;
  req?: HubRequest;
}

/**
 * Writes the append-only audit trail. Callers pass the entity manager of their own
 * transaction, so the event commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditService {
  constructor(private readonly clock: Clock) {}

  record(em: EntityManager, input: AuditInput): AuditEvent {
    const label = input.actor ? `${input.actor.name} <${input.actor.email}>` : 'System';
    const event = new AuditEvent(input.action, label);
    event.createdAt = event.updatedAt = this.clock.now();
    event.partner = input.partnerId ? em.getReference(Partner, input.partnerId) : null;
    event.actor = input.actor ? em.getReference(User, input.actor.id) : null;
    event.subjectType = input.subjectType ?? null;
    event.subjectId = input.subjectId ?? null;
    event.data = input.data ?? null;
    event.ip = input.req ? clientIp(input.req) : null;
    event.requestId = input.req?.id ?? null;
    em.persist(event);
    return event;
  }
}
