import type { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { CurrentMember, RequestOrigin } from '../common/http';
import { newId } from '../common/ids';
import { AuditEvent } from './entities/audit-event.entity';

export type AuditActor = { id: string; name: string; email: string };

/** Who acted, as an event keeps it: "Olive Owner <olive@x.example>", "API key “ERP sync” <phk_live_…>" (activity-sentences reads it back). */
export const actorLabelOf = (actor: AuditActor): string => `${actor.name} <${actor.email}>`;

/** A person or a key as the pages name them beside their address: "Olive Owner (olive@x.example)", two Olives apart. */
export const nameWithAddress = (who: { name: string; email: string }): string => `${who.name} (${who.email})`;

/** The signed-in member as the actor of an event. */
export function actorOf(member: CurrentMember): AuditActor {
  return { id: member.userId, name: member.userName, email: member.email };
}

export interface AuditInput {
  action: string;
  partnerId?: string | null;
  actor?: AuditActor | null;
  /** Who acted, when it is nobody signed in (defaults to "System" without an actor). */
  actorLabel?: string;
  subjectType?: string;
  subjectId?: string;
  data?: Record<string, unknown>;
  /** The request the change came from; none for jobs and the CLI. */
  origin?: RequestOrigin | null;
}

/**
 * Writes the append-only audit trail. Callers pass the entity manager of their own
 * transaction, so the event commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditService {
  constructor(private readonly clock: Clock) {}

  record(em: EntityManager, input: AuditInput): AuditEvent {
    return em.create(AuditEvent, this.row(input, this.clock.now()));
  }

  /**
   * Many events at once, for a job's batch: one multi-row INSERT in the caller's transaction,
   * with no entities to build or flush (that costs several times the INSERT). `at` is the
   * time the job runs as.
   */
  async recordMany(em: EntityManager, inputs: AuditInput[], at: Date): Promise<void> {
    if (inputs.length)
      await em.insertMany(
        AuditEvent,
        inputs.map((input) => this.row(input, at)),
      );
  }

  private row(input: AuditInput, at: Date) {
    return {
      id: newId(),
      createdAt: at,
      updatedAt: at,
      action: input.action,
      actorLabel: input.actor ? actorLabelOf(input.actor) : (input.actorLabel ?? 'System'),
      partnerId: input.partnerId ?? null,
      actorId: input.actor?.id ?? null,
      subjectType: input.subjectType ?? null,
      subjectId: input.subjectId ?? null,
      data: input.data ?? null,
      ip: input.origin?.ip ?? null,
      requestId: input.origin?.requestId ?? null,
    };
  }
}
