import type { HubRequest } from './http';

/** Sets a message shown once by the layout after the next redirect. */
export function flash(req: HubRequest, kind: 'notice' | 'alert', message: string): void {
  (req.session.flash ??= []).push({ kind, message });
}
