import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';

const CLOCK_EXTENSION = 'partner-hub:clock';

/**
 * Hands the app's Clock to the ORM, where BaseEntity's createdAt and updatedAt read it when a
 * flush writes them (their onCreate and onUpdate). Property initializers, not an event
 * subscriber: a subscriber's hook makes the ORM copy and diff every entity it flushes, which an
 * import of 100,000 numbers pays for in time and memory.
 */
@Injectable()
export class Timestamps {
  constructor(orm: MikroORM, clock: Clock) {
    orm.config.registerExtension(CLOCK_EXTENSION, () => clock);
  }
}

/** Now, by the app's Clock; by the system's only where the ORM runs without the app (the db commands write no entities). */
export function flushTime(em: EntityManager): Date {
  return em.config.getExtension<Clock>(CLOCK_EXTENSION)?.now() ?? new Date();
}
