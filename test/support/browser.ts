import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium (`apt-get install -y chromium`; `.ci/run` installs it)
 * through playwright-core: no browser download at test time. CHROMIUM_PATH overrides the path.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium'].filter(Boolean) as string[];

export const ARTIFACTS = resolve(__dirname, '../artifacts');

export function chromiumPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error(`Chromium not found (looked at ${CANDIDATES.join(', ')}): apt-get install -y chromium`);
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // As root in a container there is no sandbox; the network flags keep Chromium from
    // calling home, which this machine's closed network refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A page in a fresh context (no cookies shared with other pages), downloads allowed. */
export async function newPage(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ baseURL: baseUrl, acceptDownloads: true, viewport });
  return context.newPage();
}

/** Signs in through the real login form, as a person would; waits for the page after it. */
export async function signInAs(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(new URL('/login', baseUrl).toString());
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  if (answer.status() !== 303) {
    throw new Error(`sign-in as ${email} answered ${answer.status()}: ${(await answer.text()).replace(/\s+/g, ' ').slice(0, 600)}`);
  }
  await page.waitForURL((url) => url.pathname !== '/login');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core in the page and throws, listing them, on serious or critical violations.
 * The app's CSP forbids inline script, so axe is evaluated through the DevTools protocol
 * (page.evaluate), which CSP does not govern, rather than added as a <script> tag.
 */
export async function expectAccessible(page: Page, options: { disableRules?: string[] } = {}): Promise<AxeViolation[]> {
  // The page functions below run in Chromium; the project compiles without the DOM types.
  axeSource ??= readFileSync(createRequire(__filename).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(async (disabled: string[]) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const rules = Object.fromEntries(disabled.map((id) => [id, { enabled: false }]));
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'], rules });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, options.disableRules ?? [])) as AxeViolation[];
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length) {
    const list = blocking
      .map((v) => `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    at ${n.target.join(' ')}`).join('\n')}`)
      .join('\n');
    throw new Error(`Accessibility violations on ${page.url()}:\n${list}`);
  }
  return violations;
}

/** A full-page screenshot kept under the git-ignored test/artifacts/; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Chooses the layout of the list of numbers (Table or Cards) with the switch on the list, as a
 * person does; the app remembers it for them. Waits until the list is back with the layout on.
 */
export async function chooseLayout(page: Page, layout: 'Table' | 'Cards'): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/accounts/layout'),
    page.getByRole('button', { name: layout, exact: true }).click(),
  ]);
  await page.getByRole('button', { name: layout, exact: true, pressed: true }).waitFor();
}

export interface SidewaysScroll {
  /** How far the page reaches past the right edge of the window (0 or less: no sideways scroll). */
  page: number;
  /** Boxes inside the page that scroll or clip sideways, each described with its overflow. */
  boxes: string[];
}

/**
 * What scrolls sideways: the page itself, and any box in it that hides or scrolls content wider
 * than itself (a table in an `overflow-x: auto` wrapper hides its last columns on a phone
 * without widening the page). Form fields, the visually hidden (1 px) helpers and a line cut
 * with an ellipsis are left out.
 */
export function sidewaysScroll(page: Page): Promise<SidewaysScroll> {
  // Runs in Chromium; the project compiles without the DOM types.
  return page.evaluate(() => {
    type El = { tagName: string; id: string; className: unknown; scrollWidth: number; clientWidth: number; parentElement: El | null };
    const g = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number }; body: { querySelectorAll(s: string): El[] } };
      getComputedStyle(el: El): { overflowX: string; textOverflow: string };
    };
    const describe = (el: El) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const path = (el: El) =>
      [el.parentElement, el]
        .filter(Boolean)
        .map((e) => describe(e!))
        .join(' > ');
    const boxes = [...g.document.body.querySelectorAll('*')]
      .filter((el) => !['INPUT', 'SELECT', 'TEXTAREA', 'OPTION'].includes(el.tagName))
      .filter((el) => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1)
      .filter((el) => g.getComputedStyle(el).overflowX !== 'visible')
      // A line cut with an ellipsis says so itself (a long partner name in the top bar on a phone).
      .filter((el) => g.getComputedStyle(el).textOverflow !== 'ellipsis')
      .map((el) => `${path(el)} shows ${el.clientWidth} of ${el.scrollWidth} px`);
    return { page: g.document.documentElement.scrollWidth - g.innerWidth, boxes };
  });
}

/**
 * The words that a button, a badge or a table header breaks inside, one part on each of two
 * lines ("Revok|e"), each as `Revoke in button.button.small.danger`: a control squeezed into a
 * narrow column inherits the table's `overflow-wrap: anywhere` and reads as two words. Words
 * end at spaces, hyphens and slashes, where breaking is fine; visually hidden text is left out.
 */
export function wordsBrokenInControls(page: Page): Promise<string[]> {
  // Runs in Chromium; the project compiles without the DOM types.
  return page.evaluate(() => {
    type Text = { nodeValue: string | null; parentElement: El | null };
    type El = { tagName: string; className: unknown; closest(s: string): El | null };
    type Range = {
      setStart(n: Text, o: number): void;
      setEnd(n: Text, o: number): void;
      getClientRects(): { top: number; width: number }[];
    };
    const g = globalThis as unknown as {
      document: {
        body: { querySelectorAll(s: string): El[] };
        createRange(): Range;
        createTreeWalker(root: El, show: number): { nextNode(): Text | null };
      };
    };
    const SHOW_TEXT = 4;
    const describe = (el: El) =>
      `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const broken: string[] = [];
    const range = g.document.createRange();
    for (const el of g.document.body.querySelectorAll('button, .button, .badge, th')) {
      const walker = g.document.createTreeWalker(el, SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest('.visually-hidden')) continue;
        for (const word of (node.nodeValue ?? '').matchAll(/[^\s/-]{2,}/g)) {
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) broken.push(`${word[0]} in ${describe(el)}`);
        }
      }
    }
    return broken;
  });
}

export interface TabWalk {
  /** Each element the Tab key stopped on, in order, described, and whether it could be seen there. */
  stops: { what: string; seen: boolean }[];
  /** The controls a person sees that no Tab stop reached. */
  unreached: string[];
}

/**
 * Tabs through the page from its top until the focus leaves it, and checks each stop can be seen
 * where it is: laid out, in the window once focused, and on top there (what the point at its
 * middle shows is it or inside it). A link inside a box that is only visually hidden (1 px,
 * clipped) takes the focus as well as a visible one, a stop nobody sees. Then every control seen
 * on the page that no stop reached: what is visible must be reachable too, unless the page took
 * it out of the order on purpose (`tabindex="-1"`).
 */
export async function tabWalk(page: Page, limit = 400): Promise<TabWalk> {
  // Runs in Chromium; the project compiles without the DOM types.
  type Rect = { left: number; top: number; width: number; height: number };
  type El = {
    tagName: string;
    id: string;
    className: unknown;
    textContent: string | null;
    getAttribute(name: string): string | null;
    getClientRects(): ArrayLike<Rect>;
    contains(other: El): boolean;
    scrollIntoView(options: unknown): void;
  };
  type Window = {
    innerWidth: number;
    innerHeight: number;
    document: {
      activeElement: El | null;
      body: El;
      documentElement: El;
      querySelectorAll(s: string): ArrayLike<El>;
      elementFromPoint(x: number, y: number): El | null;
    };
    tabWalk?: { seen(el: El): boolean; describe(el: El): string; reached: Set<El> };
  };
  await page.evaluate(() => {
    const w = globalThis as unknown as Window;
    const seen = (el: El) =>
      Array.from(el.getClientRects()).some((r) => {
        if (r.width < 2 || r.height < 2) return false;
        const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
        if (x < 0 || y < 0 || x > w.innerWidth || y > w.innerHeight) return false;
        const hit = w.document.elementFromPoint(x, y);
        return !!hit && el.contains(hit);
      });
    const describe = (el: El) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}"`;
    w.tabWalk = { seen, describe, reached: new Set() };
  });
  const stops: TabWalk['stops'] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const w = globalThis as unknown as Required<Window>;
      const el = w.document.activeElement;
      if (!el || el === w.document.body || el === w.document.documentElement || w.tabWalk.reached.has(el)) return undefined;
      w.tabWalk.reached.add(el);
      return { what: w.tabWalk.describe(el), seen: w.tabWalk.seen(el) };
    });
    if (!stop) break;
    stops.push(stop);
  }
  const unreached = await page.evaluate(() => {
    const w = globalThis as unknown as Required<Window>;
    // A control the page took out of the order on purpose (tabindex="-1": the list's badges) is left out.
    const controls = w.document.querySelectorAll(
      ':is(a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]):not([tabindex="-1"])',
    );
    return Array.from(controls)
      .filter((el) => !w.tabWalk.reached.has(el))
      .filter((el) => {
        el.scrollIntoView({ block: 'center', inline: 'center' });
        return w.tabWalk.seen(el);
      })
      .map((el) => w.tabWalk.describe(el));
  });
  return { stops, unreached };
}
