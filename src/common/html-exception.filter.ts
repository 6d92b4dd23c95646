import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { CsrfRejected } from './csrf';
import { DATABASE_BUSY_RETRY_SECONDS, isDatabaseBusy, logDatabaseBusy } from './database-busy';
import { DomainError } from './domain-error';
import { flash } from './flash';
import { FormInvalid } from './form-invalid';
import type { HubRequest } from './http';
import type { Logger } from './logger';
import { safeLocalPath } from './local-path';
import { isMalformedPathEscape } from './path-params.pipe';
import { AlreadySignedIn, SignInRequired } from './member.guard';
import { SeeOther } from './see-other';
import { logSecurityEvent } from './security-log';

const TITLES: Record<number, string> = {
  400: 'The request could not be understood',
  403: 'You cannot do this',
  404: 'Page not found',
  405: 'Not allowed',
  409: 'This was not changed',
  413: 'The request is too large',
  415: 'Unsupported request',
  422: 'This cannot be done',
  429: 'Too many requests',
  503: 'The hub is busy',
};

/** Forms a signed-out person sends on purpose (a reset, an invitation): signing in is not their way on. */
const SIGNED_OUT_FORMS = /^\/(password|invitations)(\/|$)/i;

/**
 * Why a form sent from a page whose session has since ended (idle or absolute expiry, a
 * restart that lost it) comes back as the sign-in page: nothing was done, sign in and send it again.
 */
const SESSION_ENDED = (path: string) =>
  /^\/login\/?$/i.test(path)
    ? 'The sign-in page was open so long that its form expired. Sign in again.'
    : 'You were signed out before this form was sent, so nothing was changed. Sign in, then send it again.';

/** Where a signed-in person lands when nothing else was asked for. */
const LANDING = ['/', '/accounts'];

/**
 * The sign-in page, carrying the page a signed-out person was opening so that signing in leads
 * there (a deep link from an email). Only for pages one opens (GET, HEAD): a form sent with an
 * expired session cannot be sent again by a redirect.
 */
function signInFor(req: HubRequest): string {
  if (req.method !== 'GET' && req.method !== 'HEAD') return '/login';
  const next = safeLocalPath(req.originalUrl);
  return next && !LANDING.includes(next) ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

/**
 * A signed-in person on the sign-in page goes where its `next` asked (a link opened in a second
 * tab), else to the accounts; never to the sign-in page again (routes ignore case and a
 * trailing slash), which would send them round once more.
 */
function alreadySignedInTo(req: HubRequest): string {
  const next = safeLocalPath(req.query.next);
  const isSignIn = next?.split('?', 1)[0].toLowerCase().replace(/\/+$/, '') === '/login';
  return next && !isSignIn ? next : '/accounts';
}

/**
 * Maps every failure to an HTML page that leaks nothing: 4xx with a plain sentence, a database
 * too busy to answer in time as a 503 that says to try again (logged as a warning), anything
 * unexpected logged with its request id and shown as a generic 500 page. CSRF rejections and
 * permission denials (403) are logged as security events.
 */
@Catch()
export class HtmlExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<HubRequest>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) {
      this.logger.error({ requestId: req.id, err: error }, 'error after the response started');
      res.destroy();
      return;
    }
    if (error instanceof SignInRequired) {
      res.redirect(303, signInFor(req));
      return;
    }
    if (error instanceof AlreadySignedIn) {
      res.redirect(303, alreadySignedInTo(req));
      return;
    }
    if (error instanceof SeeOther) {
      res.redirect(303, error.location);
      return;
    }
    if (error instanceof FormInvalid) {
      this.renderForm(req, res, error);
      return;
    }
    if (error instanceof CsrfRejected && error.sessionEnded && !req.member && !SIGNED_OUT_FORMS.test(req.path)) {
      logSecurityEvent(this.logger, req, 'csrf.rejected', { reason: error.message, status: 303 });
      flash(req, 'alert', SESSION_ENDED(req.path));
      res.redirect(303, '/login');
      return;
    }
    const { status, message } = this.describe(error, req);
    // Refusals are security events, logged here once for every route: what a reviewer greps for.
    if (error instanceof CsrfRejected) logSecurityEvent(this.logger, req, 'csrf.rejected', { reason: error.message, status });
    else if (status === 403) logSecurityEvent(this.logger, req, 'access.denied', { status });
    if (status === 503) {
      logDatabaseBusy(this.logger, req, error);
      res.setHeader('Retry-After', String(DATABASE_BUSY_RETRY_SECONDS));
    } else if (status >= 500) {
      this.logger.error({ requestId: req.id, err: error, method: req.method, path: req.path }, 'unhandled error');
      this.render500(req, res);
      return;
    }
    res.status(status);
    // A limit's refusal (RateLimited, ExportLimitReached) says when to come back.
    const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    const view = status === 404 ? 'errors/404' : 'errors/error';
    res.render(view, { title: TITLES[status] ?? 'Error', status, message }, (err, html) => {
      if (err) return this.viewFailed(req, res, view, err);
      res.send(html);
    });
  }

  private describe(error: unknown, req: HubRequest): { status: number; message: string } {
    if (error instanceof CsrfRejected) {
      return { status: 403, message: 'This form has expired or was sent from another site. Go back, reload the page and try again.' };
    }
    if (error instanceof DomainError) return { status: error.status, message: error.message };
    if (isMalformedPathEscape(error)) return { status: 404, message: 'There is nothing at this address.' };
    if (isDatabaseBusy(error)) {
      const again = req.method === 'GET' || req.method === 'HEAD' ? 'Try again' : 'Go back and send the form again';
      return { status: 503, message: `The hub is too busy to answer this right now. ${again} in ${DATABASE_BUSY_RETRY_SECONDS} seconds.` };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? error.message);
      return {
        status,
        message: status === 404 ? 'There is nothing at this address.' : String(Array.isArray(message) ? message[0] : message),
      };
    }
    // body-parser and other Express middleware report client errors with a status.
    const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown };
    const status = Number(e?.status ?? e?.statusCode);
    if (status >= 400 && status < 500) {
      const message = e.type === 'entity.too.large' ? 'The form is larger than 100 kB.' : 'The request could not be read.';
      return { status, message };
    }
    return { status: 500, message: '' };
  }

  /** The form again, with what was typed and what is wrong with it. */
  private renderForm(req: HubRequest, res: Response, error: FormInvalid): void {
    res.status(error.status);
    if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    // The tab and a screen reader's first words say the form came back with something to fix.
    const { locals } = error;
    const failed = Object.keys(locals.errors).length > 0 && typeof locals.title === 'string';
    res.render(error.view, failed ? { ...locals, title: `Error: ${locals.title as string}` } : locals, (err, html) => {
      if (err) return this.viewFailed(req, res, error.view, err);
      res.send(html);
    });
  }

  /** A view that failed to render is a fault of ours: logged with the request id the 500 page shows. */
  private viewFailed(req: HubRequest, res: Response, view: string, err: Error): void {
    this.logger.error({ requestId: req.id, err, view, method: req.method, path: req.path }, 'view failed');
    this.render500(req, res);
  }

  private render500(req: HubRequest, res: Response): void {
    res.status(500);
    res.render('errors/500', { layout: false, requestId: req.id }, (err, html) => {
      if (err) this.logger.error({ requestId: req.id, err, view: 'errors/500' }, 'view failed');
      res.type('html').send(err ? 'Something went wrong.' : html);
    });
  }
}
