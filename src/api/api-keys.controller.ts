import { Body, Controller, Get, Param, Post, Redirect, Render, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { flash } from '../common/flash';
import { FormInvalid } from '../common/form-invalid';
import { parseForm } from '../common/forms';
import { originOf, type HubRequest } from '../common/http';
import { OwnerOnly } from '../common/public.decorator';
import { ApiKeysService } from './api-keys.service';
import { createApiKeyForm, expiryOf, keyFormId } from './dto/create-api-key.dto';

const NEW_KEY = { title: 'New API key' };

/**
 * API keys, for owners only (members get 403): the list, the form, and the new key shown once.
 * The created key is rendered by the POST itself, not after a redirect: the key may not be
 * stored anywhere, not even in the session table for one more page. So that a reload of that
 * page (or a double click) does not make a second key, each form carries an id the key keeps.
 */
@OwnerOnly()
@Controller('settings/api-keys')
export class ApiKeysController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('api/keys')
  async index(@Req() req: HubRequest) {
    return { title: 'API keys', keys: await this.keys.list(req.member!.partnerId) };
  }

  @Get('new')
  @Render('api/new')
  newPage() {
    return { ...NEW_KEY, values: { scope: 'read', form: keyFormId(undefined) }, errors: {} };
  }

  @Post()
  async create(@Req() req: HubRequest, @Body() body: unknown, @Res() res: Response) {
    const form = parseForm(createApiKeyForm, body);
    if (!form.ok) {
      throw new FormInvalid('api/new', { ...NEW_KEY, values: { ...form.values, form: keyFormId(form.values.form) }, errors: form.errors });
    }
    const expiresAt = expiryOf(form.data.expires);
    const values = { name: form.data.name, scope: form.data.scope, expires: form.data.expires ?? '', form: keyFormId(form.data.form) };
    if (expiresAt && expiresAt <= this.clock.now()) {
      throw new FormInvalid('api/new', { ...NEW_KEY, values, errors: { expires: 'Choose a day after today.' } });
    }
    try {
      const created = await this.keys.create(
        req.member!,
        { name: form.data.name, scope: form.data.scope, expiresAt, formId: form.data.form },
        originOf(req),
      );
      res.status(201).render('api/created', { title: 'Your new API key', ...created });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'api.form_already_sent') {
        // A reload of the page that showed the key, or the button pressed twice: one key per form.
        flash(req, 'notice', err.message);
        return res.redirect(303, '/settings/api-keys');
      }
      if (err instanceof DomainError && err.code === 'api.too_many_keys') {
        throw new FormInvalid('api/new', { ...NEW_KEY, values, errors: { name: err.message } });
      }
      throw err;
    }
  }

  /** What revoking the key does, and the button that does it; without JavaScript a click never revokes by itself. */
  @Get(':id/revoke')
  @Render('api/revoke')
  async confirmRevoke(@Req() req: HubRequest, @Param('id') id: string) {
    const key = await this.keys.find(req.member!.partnerId, id);
    return { title: `Revoke the key ${key.name}`, key };
  }

  @Post(':id/revoke')
  @Redirect('/settings/api-keys', 303)
  async revoke(@Req() req: HubRequest, @Param('id') id: string) {
    try {
      const key = await this.keys.revoke(req.member!, id, originOf(req));
      flash(req, 'notice', `The key "${key.name}" (${key.prefix}…) was revoked: it no longer works.`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      flash(req, 'alert', err.message);
    }
  }
}
