import { DriverException, LockWaitTimeoutException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { isDatabaseBusy } from '../../src/common/database-busy';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseBusy', () => {
  it('knows SQLite waiting out its busy timeout, extended codes too, as the driver and MikroORM throw it', () => {
    expect(isDatabaseBusy(withCode('SQLITE_BUSY', 'database is locked'))).toBe(true);
    expect(isDatabaseBusy(withCode('SQLITE_BUSY_SNAPSHOT'))).toBe(true);
    expect(isDatabaseBusy(withCode('SQLITE_LOCKED'))).toBe(true);
    expect(isDatabaseBusy(new LockWaitTimeoutException(withCode('SQLITE_BUSY', 'database is locked')))).toBe(true);
  });

  it('knows PostgreSQL’s statement timeout, lock, deadlock, serialization and connection failures', () => {
    for (const code of ['57014', '55P03', '40P01', '40001', '53300']) expect(isDatabaseBusy(withCode(code)), code).toBe(true);
  });

  it('knows a pool with no connection free in time, and a busy error wrapped as a cause', () => {
    const poolTimeout = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), {
      name: 'KnexTimeoutError',
    });
    expect(isDatabaseBusy(poolTimeout)).toBe(true);
    expect(isDatabaseBusy(new DriverException(poolTimeout))).toBe(true);
    expect(isDatabaseBusy(new Error('request failed', { cause: withCode('57014') }))).toBe(true);
  });

  it('leaves every other failure alone: constraints, syntax, codes that only start alike, anything not an error', () => {
    expect(isDatabaseBusy(new UniqueConstraintViolationException(withCode('23505')))).toBe(false);
    for (const code of ['SQLITE_CONSTRAINT', 'SQLITE_BUSYNESS', '42601', '08006', '5701', '57014x']) {
      expect(isDatabaseBusy(withCode(code)), code).toBe(false);
    }
    expect(isDatabaseBusy(new Error('database is locked'))).toBe(false);
    for (const value of [undefined, null, 'SQLITE_BUSY', 57014, {}]) expect(isDatabaseBusy(value)).toBe(false);
  });
});
