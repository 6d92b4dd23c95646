import { randomBytes } from 'node:crypto';
import { NotFoundException, type ArgumentMetadata } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { PathParamsPipe, UndeclaredPathParam } from '../../src/common/path-params.pipe';
import { newId } from '../../src/common/ids';

const pipe = new PathParamsPipe();
const param = (data?: string): ArgumentMetadata => ({ type: 'param', data });
const check = (name: string, value: unknown) => () => pipe.transform(value, param(name));

const newToken = () => randomBytes(32).toString('base64url');

const MALFORMED = [
  '',
  '\u0000',
  `${newId().slice(0, 10)}\u0000${newId().slice(11)}`,
  '%',
  '%00',
  'été',
  '😀',
  'A'.repeat(200),
  newId().slice(1),
  `${newId()}A`,
  `${newId().slice(1)}+`,
  `${newId().slice(1)}=`,
  `${newId().slice(1)}/`,
  `${newId().slice(1)}\n`,
  "1' or '1'='1",
  '1;drop table user',
  '../..',
];

describe('PathParamsPipe', () => {
  it('passes the ids newId() makes, under "id" and any name ending in Id', () => {
    for (let i = 0; i < 200; i++) {
      const id = newId();
      expect(pipe.transform(id, param('id'))).toBe(id);
      expect(pipe.transform(id, param('accountId'))).toBe(id);
    }
  });

  it('passes the raw tokens the mail worker puts in links, under "token"', () => {
    for (let i = 0; i < 200; i++) {
      const token = newToken();
      expect(pipe.transform(token, param('token'))).toBe(token);
    }
  });

  it('answers 404 for a malformed id or token: wrong length, alphabet, NUL, unicode, SQL, traversal', () => {
    for (const value of MALFORMED) {
      expect(check('id', value), JSON.stringify(value)).toThrow(NotFoundException);
      expect(check('userId', value), JSON.stringify(value)).toThrow(NotFoundException);
      // A token cut short is still a link (below).
      if (!/^[A-Za-z0-9_-]{1,43}$/.test(value)) expect(check('token', value), JSON.stringify(value)).toThrow(NotFoundException);
    }
    expect(check('token', `${newToken()}A`)).toThrow(NotFoundException);
    expect(check('token', `${newToken()}....`)).toThrow(NotFoundException);
  });

  it('passes a token cut short, or with a little punctuation after it, as a link: its page says whether it is valid', () => {
    for (const value of [newToken().slice(0, 30), newId(), `${newToken()}.`, `${newToken()})`, `${newToken()}>`, `${newToken()}.,`]) {
      expect(pipe.transform(value, param('token')), value).toBe(value);
    }
  });

  it('answers 404 for a token where an id belongs, and for a value that is no string', () => {
    expect(check('id', newToken())).toThrow(NotFoundException);
    for (const value of [undefined, null, 42, [newId()], { id: newId() }]) expect(check('id', value)).toThrow(NotFoundException);
  });

  it('fails loudly, not with a 404, for a parameter name with no declared shape, however its value looks', () => {
    expect(check('slug', 'anything')).toThrow(UndeclaredPathParam);
    expect(check('slug', newId())).toThrow(UndeclaredPathParam);
    // "Id" must end a name to make it an id: "identity" is not one.
    expect(check('identity', newId())).toThrow(UndeclaredPathParam);
    expect(check('constructor', newId())).toThrow(UndeclaredPathParam);
  });

  it('checks every entry when a handler takes the whole params object', () => {
    const params = { id: newId(), token: newToken() };
    expect(pipe.transform(params, param())).toBe(params);
    expect(() => pipe.transform({ id: newId(), token: '%00' }, param())).toThrow(NotFoundException);
    expect(() => pipe.transform({ id: newId(), slug: 'x' }, param())).toThrow(UndeclaredPathParam);
  });

  it('leaves query strings, bodies and custom parameters alone', () => {
    for (const type of ['query', 'body', 'custom'] as const) {
      const value = { q: '\u0000', id: 'not an id' };
      expect(pipe.transform(value, { type, data: undefined })).toBe(value);
      expect(pipe.transform('\u0000', { type, data: 'id' })).toBe('\u0000');
    }
  });
});
