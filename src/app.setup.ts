import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/core';
import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Response } from 'express';
import session from 'express-session';
import hbs from 'hbs';
import helmet from 'helmet';
import passport from 'passport';
import { ApiKeyGuard, apiKeyBeforeBody } from './api/api-key.guard';
import { ApiKeysService } from './api/api-keys.service';
import { apiCors } from './api/cors';
import { ApiProblemFilter, isApiPath } from './api/api-problem.filter';
import type { RouteShape } from './api/allowed-methods';
import { OpenApiService } from './api/openapi.service';
import { API_BODY_LIMIT_MB, API_V1, JSON_TYPES } from './api/route';
import { refuseDuplicateKeys } from './api/json-body';
import { AuthService } from './auth/auth.service';
import { DbSessionStore } from './auth/session.store';
import { Clock } from './common/clock';
import { csrfProtection, csrfToken } from './common/csrf';
import { HtmlExceptionFilter } from './common/html-exception.filter';
import { Sql } from './database/sql';
import type { HubRequest } from './common/http';
import { LOGGER, type Logger } from './common/logger';
import { PathParamsPipe } from './common/path-params.pipe';
import { rejectNulBytes } from './common/sanitize';
import { RequestsInFlight } from './common/requests-in-flight';
import { viewHelpers } from './common/view-helpers';
import { APP_CONFIG, cookieOptions, type AppConfig } from './config/config';
import { MetricsService } from './metrics/metrics.service';
import { observeRequests } from './metrics/request-observer';
import { OPERATOR_V1 } from './operator-api/operator-route';
import { OPERATOR_ROUTES } from './operator-api/operator-docs.controller';
import { operatorKeyBeforeBody } from './operator-api/operator-key.guard';
import { OperatorKeysService } from './operator-api/operator-keys.service';

/** The project folder, from src/ under a test runner or dist/src/ when built. */
export const ROOT = resolve(__dirname, __filename.endsWith('.js') ? '../..' : '..');

/**
 * Routes are tried most specific first, not in the order modules are listed: /accounts/export.csv
 * comes before /accounts/:id whichever module declares it. Two handlers for one method and path
 * stop the start. NestFactory.create takes these (main and the tests).
 */
export const ROUTING = {
  routeResolutionStrategy: 'specificity',
  routeConflictPolicy: { duplicate: 'error' },
} satisfies NestApplicationOptions;

/**
 * Runs a middleware for the pages only: the Partner API under /api authenticates with its own
 * Bearer keys, so it never loads or creates a session, and no CSRF token applies to it.
 */
function pagesOnly<Req extends express.Request>(middleware: (req: Req, res: Response, next: NextFunction) => void) {
  return (req: Req, res: Response, next: NextFunction) => (isApiPath(req.path) ? next() : middleware(req, res, next));
}

/**
 * Everything between Express and the controllers: views, security headers, body limits,
 * sessions, passport, CSRF, flash and the error pages. main.ts and the tests both call it,
 * so the tests run the real app.
 */
export function configureApp(nest: INestApplication): NestExpressApplication {
  const app = nest as NestExpressApplication;
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get<Logger>(LOGGER);
  const clock = app.get(Clock);
  const auth = app.get(AuthService);
  const orm = app.get(MikroORM);

  app.set('trust proxy', config.trustedProxyHops);
  app.disable('x-powered-by');

  // Views: one layout, partials by folder; the view cache is on in production.
  const views = join(ROOT, 'views');
  app.setBaseViewsDir(views);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  app.set('view cache', config.isProduction);
  hbs.registerPartials(views);
  for (const [name, fn] of Object.entries(viewHelpers)) hbs.registerHelper(name, fn as never);

  app.use(app.get(RequestsInFlight).track);
  app.use((req: HubRequest, res: Response, next: NextFunction) => {
    req.id = randomUUID();
    res.setHeader('X-Request-Id', req.id);
    next();
  });
  // One latency observation, and one access-log line (ACCESS_LOG), per request when it ends.
  app.use(observeRequests(app.get(MetricsService), config.accessLog ? logger : undefined));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      strictTransportSecurity: config.isProduction,
      crossOriginEmbedderPolicy: false,
      frameguard: { action: 'deny' },
    }),
  );
  app.use('/public', express.static(join(ROOT, 'public'), { maxAge: config.isProduction ? '1h' : 0, index: false }));
  // Everything after this is per person: never cached by a browser or a proxy.
  app.use((_req: HubRequest, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // So no ETag either: hashing every page (142 kB for a list page) would serve no revalidation.
  app.set('etag', false);
  // The pages' forms; the APIs read JSON only, and only once the key let the request in.
  app.use(pagesOnly(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 })));
  // The API's JSON bodies (its own limit); a body that is not JSON or too large is a problem+json.
  // The operator API's loads of up to 1,000 channels get 10 MB; the parser after it skips a body already read.
  app.use(OPERATOR_V1, operatorKeyBeforeBody(app.get(OperatorKeysService)));
  app.use(OPERATOR_V1, express.json({ limit: '10mb', type: JSON_TYPES, verify: refuseDuplicateKeys }));
  // Browsers of the configured origins only (none by default): their preflight needs no key.
  if (config.api.corsOrigins.length) app.use(API_V1, apiCors(config.api.corsOrigins));
  app.use(API_V1, apiKeyBeforeBody(app.get(ApiKeysService), app.get(ApiKeyGuard)));
  app.use('/api', express.json({ limit: `${API_BODY_LIMIT_MB}mb`, type: JSON_TYPES, verify: refuseDuplicateKeys }));
  app.use(
    rejectNulBytes({
      bodiesCheckedUnder: [OPERATOR_V1],
      // A page one opens reads its own query (a form's POST does not: passport reads the sign-in's fields from it too).
      queryReadByPage: (req) => (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.path),
    }),
  );

  const sessions = new DbSessionStore(orm.em, app.get(Sql), clock, {
    idleMs: config.session.idleMs,
    absoluteMs: config.session.absoluteMs,
    anonymousMs: config.retention.anonymousSessionMs,
  });
  app.use(
    pagesOnly(
      session({
        name: config.session.cookieName,
        secret: config.session.secret,
        store: sessions,
        genid: sessions.newId,
        resave: false,
        saveUninitialized: false,
        // No `unset: 'destroy'`: nothing here drops req.session to end one, and with it a
        // session whose read failed (a database blip) was deleted at the end of the request.
        cookie: cookieOptions(config),
      }),
    ),
  );

  // The sign-in itself is auth's LocalStrategy and LoginGuard; the session keeps the user id only.
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  app.use(pagesOnly(passport.initialize()));
  app.use(pagesOnly(passport.session()));

  // The member is reloaded on every request: a removed membership is out at once.
  app.use((req: HubRequest, _res: Response, next: NextFunction) => {
    if (isApiPath(req.path)) return next();
    const userId = req.session?.passport?.user;
    if (!userId) return next();
    auth
      .loadMember(userId, req.session.partnerId, sessions.membershipsReadFor(req, userId))
      .then((ctx) => {
        if (!ctx) {
          logger.info({ event: 'session.revoked', requestId: req.id, userId }, 'membership gone: signed out');
          return req.session.destroy(() => next());
        }
        req.member = ctx.member;
        req.memberships = ctx.memberships;
        req.session.partnerId = ctx.member.partnerId;
        next();
      })
      .catch(next);
  });

  app.use(pagesOnly(csrfProtection(new URL(config.baseUrl).origin)));

  app.use((req: HubRequest, res: Response, next: NextFunction) => {
    // A function: Handlebars calls it only where a template prints the token, so a page with no
    // form (a 404) stores no session (Express copies res.locals at every render: a getter would
    // be read each time).
    res.locals.csrfToken = () => (req.session ? csrfToken(req) : '');
    res.locals.member = req.member;
    res.locals.supportUrl = config.supportUrl;
    res.locals.isOwner = req.member?.role === 'owner';
    res.locals.memberships = req.memberships && req.memberships.length > 1 ? req.memberships : undefined;
    // The navigation marks the section: a number's and a client's pages are in WhatsApp Accounts.
    res.locals.path = /^\/(accounts|clients)\//.test(req.path) ? '/accounts' : req.path;
    if (req.session?.flash?.length) {
      res.locals.flash = req.session.flash;
      req.session.flash = undefined;
    }
    next();
  });

  // Every id and token in a path is checked before a handler runs: malformed is the 404 page.
  app.useGlobalPipes(new PathParamsPipe());
  // Problem details under /api, the error pages everywhere else.
  // The APIs' own routes, so that a method an address does not answer is a 405 naming those it does.
  const apiRoutes = (): RouteShape[] => [
    ...app
      .get(OpenApiService)
      .routes()
      .map((r) => ({ method: r.method, path: `${r.base}${r.path}` })),
    ...OPERATOR_ROUTES.map((r) => ({ method: r.method, path: `${OPERATOR_V1}${r.path}` })),
    { method: 'GET', path: `${API_V1}/openapi.json` },
    { method: 'GET', path: `${OPERATOR_V1}/openapi.json` },
  ];
  app.useGlobalFilters(new ApiProblemFilter(logger, new HtmlExceptionFilter(logger), apiRoutes));
  return app;
}
