import type { AuditActor } from '../audit/audit.service';
import { keyName, type ApiCaller } from './api-keys.service';

/**
 * An API key as the actor of what it does. Activity names it `API key “ERP sync”`, with its
 * prefix where a person's address goes (two keys of one name stay apart), and its id: the
 * Person filter finds what the key did, and its downloads spend a row budget of its own.
 */
export function keyActor(caller: ApiCaller): AuditActor {
  return { id: caller.keyId, name: keyName(caller.name), email: caller.prefix };
}
