import { describe, expect, it } from 'vitest';
import { FAMILIES, FAMILY_KEYS, familyValues, isStatus, statusAnchor, statusDef, type StatusDef } from '../../src/statuses/catalogue';

const COLOURS = ['green', 'blue', 'amber', 'red', 'grey'];
const statusesOf = (family: keyof typeof FAMILIES) => FAMILIES[family].statuses as readonly StatusDef[];
const everyStatus = FAMILY_KEYS.flatMap((family) => statusesOf(family).map((st) => [family, st] as const));

describe('the status catalogue', () => {
  it('has the nine families the pages show', () => {
    expect(FAMILY_KEYS).toEqual(['lifecycle', 'waba', 'verification', 'onBehalf', 'registration', 'consent', 'billing', 'quality', 'tier']);
  });

  it.each(FAMILY_KEYS)('names and describes the %s family under its own key', (family) => {
    expect(FAMILIES[family].key).toBe(family);
    expect(FAMILIES[family].label.trim()).not.toBe('');
    expect(FAMILIES[family].description.trim()).not.toBe('');
    expect(statusesOf(family).length).toBeGreaterThan(0);
  });

  it.each(everyStatus.map(([family, st]) => [`${family}/${st.value}`, st] as const))(
    'gives %s a label, a colour, a meaning and a next step',
    (_, st) => {
      expect(st.label.trim()).not.toBe('');
      expect(COLOURS).toContain(st.colour);
      expect(st.meaning.trim()).toMatch(/\.$/);
      expect(st.next.trim()).toMatch(/\.$/);
    },
  );

  it.each(FAMILY_KEYS)('has unique codes and unique labels in the %s family', (family) => {
    const values = familyValues(family);
    expect(new Set(values).size).toBe(values.length);
    const labels = statusesOf(family).map((st) => st.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('spells codes as the Partner API does: lower case, digits and underscores', () => {
    for (const [, st] of everyStatus) expect(st.value).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it('gives every status its own anchor on the Account statuses page', () => {
    const anchors = everyStatus.map(([family, st]) => statusAnchor(family, st.value));
    expect(new Set(anchors).size).toBe(anchors.length);
    expect(statusAnchor('lifecycle', 'created')).not.toBe(statusAnchor('waba', 'created'));
  });

  it('shows every status that needs attention in red', () => {
    const attention = everyStatus.filter(([, st]) => st.attention);
    expect(attention.length).toBeGreaterThan(0);
    for (const [family, st] of attention) expect([family, st.value, st.colour]).toEqual([family, st.value, 'red']);
  });

  it('never marks a waiting status as a problem, nor a problem as waiting', () => {
    for (const [family, st] of everyStatus) expect([family, st.value, !!(st.attention && st.pending)]).toEqual([family, st.value, false]);
  });

  it('has pending number statuses, which the "stuck" rule of needs attention relies on', () => {
    expect(
      statusesOf('lifecycle')
        .filter((st) => st.pending)
        .map((st) => st.value),
    ).toEqual(['created', 'submitted', 'ready']);
  });
});

describe('looking up a status', () => {
  it('finds the definition of a known code in its family', () => {
    expect(statusDef('billing', 'revocation_requested')?.label).toBe('Revocation requested');
    expect(statusDef('quality', 'red')).toMatchObject({ label: 'Low', colour: 'red' });
  });

  it('finds nothing for an unknown code', () => {
    expect(statusDef('lifecycle', 'deleted')).toBeUndefined();
  });

  it.each(everyStatus.map(([family, st]) => [family, st.value] as const))('accepts %s %s', (family, value) => {
    expect(isStatus(family, value)).toBe(true);
  });

  it.each<[string, keyof typeof FAMILIES, unknown]>([
    ['an unknown code', 'lifecycle', 'deleted'],
    ['a code of another family', 'waba', 'running'],
    ['another case', 'lifecycle', 'Running'],
    ['surrounding spaces', 'lifecycle', ' running '],
    ['an empty string', 'consent', ''],
    ['a label instead of the code', 'billing', 'Partner pays'],
    ['a number', 'tier', 250],
    ['null', 'quality', null],
    ['undefined', 'quality', undefined],
    ['an array of a known code', 'lifecycle', ['running']],
    ['an inherited property name', 'lifecycle', 'constructor'],
  ])('refuses %s', (_, family, value) => {
    expect(isStatus(family, value)).toBe(false);
  });
});
