import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTING } from '../../src/app.setup';
import { createMember, createPartner } from '../factories';
import { createNumber } from '../factories/accounts';
import { createTestApp, type ModuleImports, type TestApp } from '../support/app';
import { signIn } from '../support/http';

// In one of the two orders accounts' /accounts/:id is declared before exports' /accounts/export.csv.
describe.each([
  ['as the app module lists them', (declared: ModuleImports) => declared],
  ['in the opposite order', (declared: ModuleImports) => [...declared].reverse()],
])('routes with the modules %s', (_, imports) => {
  let t: TestApp;
  let agent: ReturnType<TestApp['agent']>;
  let numberId: string;

  beforeAll(async () => {
    t = await createTestApp({ imports });
    const partner = await createPartner(t.em());
    const owner = await createMember(t.em(), partner);
    numberId = (await createNumber(t.em(), partner)).id;
    agent = t.agent();
    await signIn(agent, owner.email, owner.password);
  });

  afterAll(() => t.close());

  it('serves the CSV at /accounts/export.csv, not the details of a number with that id', async () => {
    const res = await agent.get('/accounts/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
  });

  it('still serves a number’s details at /accounts/<id>', async () => {
    const res = await agent.get(`/accounts/${numberId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Danger Zone');
  });
});

describe('two handlers for one route', () => {
  @Controller('accounts')
  class First {
    @Get('export.csv')
    download() {}
  }

  @Controller('accounts')
  class Second {
    @Get('export.csv')
    download() {}
  }

  @Module({ controllers: [First, Second] })
  class Clashing {}

  it('stop the start instead of one silently winning', async () => {
    const app = await NestFactory.create(Clashing, { ...ROUTING, logger: false, abortOnError: false });
    try {
      await expect(app.init()).rejects.toThrow(/GET \/accounts\/export\.csv/);
    } finally {
      await app.close();
    }
  });
});
