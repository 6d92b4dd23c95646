import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../common/ids';
import { flushTime } from './timestamps';

/** The times are set at flush from the app's Clock (timestamps.ts), unless given. */
export abstract class BaseEntity<Optional = never> {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | Optional;

  @PrimaryKey({ type: 'string', length: 22 })
  id: string = newId();

  @Property({ type: 'datetime', onCreate: (_: BaseEntity, em) => flushTime(em) })
  createdAt!: Date;

  /** The creation time at first, then the time of each flush that changes the entity. */
  @Property({ type: 'datetime', onCreate: (e: BaseEntity) => e.createdAt, onUpdate: (_: BaseEntity, em) => flushTime(em) })
  updatedAt!: Date;
}
