import { FAMILIES, type LifecycleStatus } from '../statuses';
import { formatCount } from '../common/view-helpers';
import type { MatchCount } from './accounts.service';
import { filterQueryString, isFiltered, type NumberFilter } from './number-filter';

/** How a segment of the status mix is hatched, in white over its colour (solid: no hatching). */
export type MixPattern = 'solid' | 'dots' | 'rising' | 'falling' | 'vertical' | 'horizontal' | 'crosshatch' | 'grid';

/**
 * The hatching drawn on a 6 × 6 px tile: a white path, or a white dot. Each tile keeps most of
 * its area in the status's colour, so the segment keeps its contrast.
 */
const MIX_PATTERN_SHAPES: Record<MixPattern, { path?: string; dot?: boolean }> = {
  solid: {},
  dots: { dot: true },
  rising: { path: 'M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2' },
  falling: { path: 'M-1,5 l2,2 M0,0 l6,6 M5,-1 l2,2' },
  vertical: { path: 'M3,0 v6' },
  horizontal: { path: 'M0,3 h6' },
  crosshatch: { path: 'M0,0 l6,6 M6,0 l-6,6' },
  grid: { path: 'M0,3 h6 M3,0 v6' },
};

/**
 * The status mix's own palette: every number status has a colour no other has (the badges'
 * five colours would paint Running and Live, or Error and Suspended, alike) and a hatching no
 * other has, so the bar reads without colour too. Every colour has at least 3:1 contrast on
 * white (WCAG 1.4.11); segments are parted by a white gap, so neighbours need no contrast
 * between them.
 */
export const MIX_STYLES: Record<LifecycleStatus, { hex: string; pattern: MixPattern }> = {
  created: { hex: '#6e7781', pattern: 'dots' },
  submitted: { hex: '#0a58ca', pattern: 'rising' },
  ready: { hex: '#6f42c1', pattern: 'falling' },
  running: { hex: '#1a7f37', pattern: 'solid' },
  live: { hex: '#0b6e69', pattern: 'vertical' },
  error: { hex: '#b42318', pattern: 'crosshatch' },
  suspended: { hex: '#b35900', pattern: 'horizontal' },
  inactive: { hex: '#2f363d', pattern: 'grid' },
};

/** The narrowest a present status's segment gets (in % of the bar), so that one number among thousands still shows. */
const MIN_SEGMENT = 2;

/**
 * The counts of what the list shows, with links that narrow it by number status (keeping the
 * rest of the filter, the page size and a client's page's `back`), and the status mix as SVG
 * bar segments. Capped counts say "10,000+" and show no split. Bar and legend keep the catalogue's order, and each status its own colour and
 * hatching (MIX_STYLES), so the legend's swatches match the bar without relying on colour.
 */
export function summaryView(count: MatchCount, filter: NumberFilter, basePath: string, size: string | undefined, back?: string) {
  const total = formatCount(count.total) + (count.capped ? '+' : '');
  const statuses = count.capped
    ? []
    : FAMILIES.lifecycle.statuses.map((s) => {
        const n = count.byStatus[s.value] ?? 0;
        return {
          value: s.value,
          label: s.label,
          patternId: mixPatternId(s.value),
          count: formatCount(n),
          n,
          href: `${basePath}${filterQueryString({ ...filter, status: { ...filter.status, lifecycle: [s.value] } }, { size, back })}`,
        };
      });
  const description = statuses
    .filter((s) => s.n)
    .map((s) => `${s.label} ${s.count}`)
    .join(', ');
  // Zeros say "none of these" about the whole portfolio; under a filter or for one client they are noise.
  const shown = statuses.filter((s) => s.n || (!isFiltered(filter) && !filter.clientId));
  const hasNumbers = count.total > 0;
  return {
    total,
    n: count.total,
    capped: count.capped,
    // No numbers, nothing to attend to: the figure only shows beside numbers, and is an alarm only above zero.
    attention: count.capped || !hasNumbers ? undefined : formatCount(count.attention),
    attentionAlert: !count.capped && count.attention > 0,
    attentionHref: `${basePath}${filterQueryString({ ...filter, attention: true }, { size, back })}`,
    statuses: shown,
    segments: mixSegments(statuses),
    patterns: shown.length ? mixPatterns() : [],
    chartLabel: hasNumbers ? `Status mix of ${total} ${count.total === 1 ? 'number' : 'numbers'}: ${description}` : 'No numbers',
  };
}

const mixPatternId = (status: string) => `mix-${status}`;

/** The fills the bar and the legend's swatches share: one SVG pattern per number status. */
function mixPatterns() {
  return FAMILIES.lifecycle.statuses.map((s) => ({
    id: mixPatternId(s.value),
    hex: MIX_STYLES[s.value].hex,
    ...MIX_PATTERN_SHAPES[MIX_STYLES[s.value].pattern],
  }));
}

/**
 * One segment per status present, side by side and filling the bar; a tiny share is widened to
 * MIN_SEGMENT and the rest narrowed to make room, so every present status stays visible.
 */
function mixSegments(statuses: readonly { value: LifecycleStatus; label: string; count: string; n: number; patternId: string }[]) {
  const present = statuses.filter((s) => s.n > 0);
  const sum = present.reduce((acc, s) => acc + s.n, 0);
  const widths = present.map((s) => Math.max((s.n / sum) * 100, MIN_SEGMENT));
  const scale = 100 / widths.reduce((acc, w) => acc + w, 0);
  let x = 0;
  return present.map((s, i) => {
    const width = widths[i] * scale;
    const segment = {
      x: x.toFixed(3),
      width: width.toFixed(3),
      hex: MIX_STYLES[s.value].hex,
      patternId: s.patternId,
      title: `${s.label}: ${s.count}`,
    };
    x += width;
    return segment;
  });
}
