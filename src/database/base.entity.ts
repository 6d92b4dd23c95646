import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../common/ids';

/** The times are set at flush from the app's Clock (Timestamps), unless given. */
export abstract class BaseEntity<Optional = never> {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | Optional;

  @PrimaryKey({ type: 'string', length: 22 })
  id: string = newId();

  @Property({ type: 'datetime' })
  createdAt!: Date;

  @Property({ type: 'datetime' })
  updatedAt!: Date;
}
