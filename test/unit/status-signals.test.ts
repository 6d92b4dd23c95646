import { describe, expect, it } from 'vitest';
import { MIX_STYLES, summaryView } from '../../src/accounts/summary.presenter';
import type { MatchCount } from '../../src/accounts/accounts.service';
import { DEFAULT_SORT, type NumberFilter } from '../../src/accounts/number-filter';
import { FAMILIES, FAMILY_KEYS, familyValues, statusDef, type StatusDef } from '../../src/statuses/catalogue';

/** WCAG 2.x relative luminance of an sRGB colour written #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white). */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const LIFECYCLE = familyValues('lifecycle');
const filter = (over: Partial<NumberFilter> = {}): NumberFilter => ({ status: {}, attention: false, sort: DEFAULT_SORT, ...over });
const counted = (byStatus: Record<string, number>, attention = 0): MatchCount => ({
  byStatus,
  total: Object.values(byStatus).reduce((a, b) => a + b, 0),
  attention,
  capped: false,
});
const summaryOf = (count: MatchCount) => summaryView(count, filter(), '/accounts', undefined);
const everyStatus = FAMILY_KEYS.flatMap((family) => (FAMILIES[family].statuses as readonly StatusDef[]).map((st) => ({ family, ...st })));

describe('the status mix', () => {
  it('checks contrast the way WCAG computes it', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
  });

  it('gives every number status a colour and a hatching of its own', () => {
    const styles = LIFECYCLE.map((value) => MIX_STYLES[value]);
    expect(new Set(styles.map((s) => s.hex.toLowerCase())).size).toBe(LIFECYCLE.length);
    expect(new Set(styles.map((s) => s.pattern)).size).toBe(LIFECYCLE.length);
  });

  it.each(LIFECYCLE)('draws %s with at least 3:1 contrast against the white bar and its white gaps', (value) => {
    expect(MIX_STYLES[value].hex).toMatch(/^#[0-9a-f]{6}$/i);
    expect(contrast(MIX_STYLES[value].hex, '#ffffff')).toBeGreaterThanOrEqual(3);
  });

  it('fills each segment with its status pattern over its own colour, and the legend with the same pattern', () => {
    const view = summaryOf(counted(Object.fromEntries(LIFECYCLE.map((v, i) => [v, i + 1]))));
    expect(view.segments.map((s) => s.patternId)).toEqual(LIFECYCLE.map((v) => `mix-${v}`));
    expect(view.segments.map((s) => s.hex)).toEqual(LIFECYCLE.map((v) => MIX_STYLES[v].hex));
    expect(view.statuses.map((s) => s.patternId)).toEqual(view.segments.map((s) => s.patternId));
    // One pattern per status, each painted in that status's colour.
    expect(view.patterns.map((p) => [p.id, p.hex])).toEqual(LIFECYCLE.map((v) => [`mix-${v}`, MIX_STYLES[v].hex]));
  });

  it('keeps the catalogue order in the bar whatever the counts, so the bar and legend read alike', () => {
    const view = summaryOf(counted({ inactive: 50, created: 1, live: 7 }));
    expect(view.segments.map((s) => s.title)).toEqual(['Created: 1', 'Live: 7', 'Inactive: 50']);
  });

  it('keeps a tiny share visible: one number among thousands still gets a segment of about 2 %', () => {
    const view = summaryOf(counted({ running: 5_000, error: 1 }));
    const [running, error] = view.segments.map((s) => Number(s.width));
    expect(error).toBeGreaterThan(1.9);
    expect(running + error).toBeCloseTo(100, 2);
    expect(Number(view.segments[1].x)).toBeCloseTo(running, 2);
  });
});

describe('the attention figure', () => {
  it('is not shown at all to a partner with no numbers', () => {
    const view = summaryOf(counted({}));
    expect(view.attention).toBeUndefined();
    expect(view.attentionAlert).toBe(false);
    expect(view.segments).toEqual([]);
  });

  it('is a plain zero, not an alarm, when numbers need nothing', () => {
    const view = summaryOf(counted({ running: 4 }));
    expect(view.attention).toBe('0');
    expect(view.attentionAlert).toBe(false);
  });

  it('is an alarm when a number needs attention', () => {
    const view = summaryOf(counted({ running: 4, error: 1 }, 1));
    expect(view.attention).toBe('1');
    expect(view.attentionAlert).toBe(true);
  });
});

describe('the catalogue says what each status means for the partner', () => {
  it('shows "Partner pays" as a neutral badge: who pays is a fact, not good news', () => {
    expect(statusDef('billing', 'partner_paid')).toMatchObject({ label: 'Partner pays', colour: 'grey', next: 'Nothing to do.' });
  });

  // Healthy: the statuses shown in green, and paying for a number as the contract says.
  const healthy = everyStatus.filter((st) => st.colour === 'green' || (st.family === 'billing' && st.value === 'partner_paid'));

  it.each(healthy.map((st) => [`${st.family}/${st.value}`, st] as const))('asks nothing of the partner for healthy %s', (_, st) => {
    expect(st.next).toBe('Nothing to do.');
  });

  it('never suggests payment revocation or the Danger Zone as a next step, except to undo a revocation', () => {
    const suggesting = everyStatus
      .filter((st) => !(st.family === 'billing' && st.value === 'revocation_requested'))
      .filter((st) => /revo|danger zone|stop paying/i.test(`${st.meaning} ${st.next}`))
      .map((st) => `${st.family}/${st.value}`);
    expect(suggesting).toEqual([]);
  });
});
