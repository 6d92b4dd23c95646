import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import hbs from 'hbs';
import { viewHelpers } from '../common/view-helpers';

type Template = (locals: Record<string, unknown>) => string;

// The project folder, from src/mail under a test runner or dist/src/mail when built.
const MAIL_VIEWS = join(resolve(__dirname, __filename.endsWith('.js') ? '../../..' : '../..'), 'views', 'mail');

/**
 * Renders views/mail/<template>_html.hbs and _text.hbs with hbs's own Handlebars. The HTML part
 * escapes everything; the text part is plain text, so it is compiled without HTML escaping
 * (a name like "Müller & Söhne" must not arrive as "&amp;").
 */
export class MailRenderer {
  private readonly cache = new Map<string, Template>();
  // Its own environment with the view helpers: commands render mail without the web app.
  private readonly handlebars = hbs.create().handlebars;

  constructor() {
    for (const [name, fn] of Object.entries(viewHelpers)) this.handlebars.registerHelper(name, fn as never);
  }

  render(template: string, locals: Record<string, unknown>): { html: string; text: string } {
    if (!/^[a-z0-9_]+$/.test(template)) throw new Error(`bad mail template name "${template}"`);
    return { html: this.compile(template, 'html')(locals), text: this.compile(template, 'text')(locals) };
  }

  private compile(template: string, part: 'html' | 'text'): Template {
    const key = `${template}_${part}`;
    let fn = this.cache.get(key);
    if (!fn) {
      const source = readFileSync(join(MAIL_VIEWS, `${key}.hbs`), 'utf8');
      fn = this.handlebars.compile(source, { noEscape: part === 'text', strict: false }) as Template;
      this.cache.set(key, fn);
    }
    return fn;
  }
}
