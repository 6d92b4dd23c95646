import { MikroORM, type EventArgs, type EventSubscriber } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { BaseEntity } from './base.entity';

/**
 * createdAt and updatedAt of every entity, from the app's Clock: set on create (unless the
 * caller set them) and updatedAt again on each update that changes something. A flush runs
 * this; em.insert, insertMany and nativeUpdate do not, so their callers pass the times.
 */
@Injectable()
export class Timestamps implements EventSubscriber<BaseEntity> {
  constructor(
    orm: MikroORM,
    private readonly clock: Clock,
  ) {
    orm.em.getEventManager().registerSubscriber(this);
  }

  beforeCreate({ entity }: EventArgs<BaseEntity>): void {
    if (!(entity instanceof BaseEntity)) return;
    entity.createdAt ??= this.clock.now();
    entity.updatedAt ??= entity.createdAt;
  }

  beforeUpdate({ entity }: EventArgs<BaseEntity>): void {
    if (entity instanceof BaseEntity) entity.updatedAt = this.clock.now();
  }
}
