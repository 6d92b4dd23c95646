import { JOBS_PROCESS_FLAGS } from '../../src/cluster';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { IngestionRun } from './channels';
import { fmt, type LoadResult } from './load';

export interface Check {
  id: string;
  what: string;
  target: string;
  measured: string;
  pass: boolean;
}

export interface DialectReport {
  dialect: string;
  engine: string;
  startedAt: string;
  /** The 1-minute load average when the dialect's run began and ended: other work on the machine skews the numbers. */
  loadAverage: { atStart: number; atEnd: number };
  minutes: number;
  /** WEB_CONCURRENCY of the app and the baseline server. */
  workers: number;
  options: object;
  seeded?: {
    numbers: number;
    small: number;
    seedSeconds: number;
    smallSeedSeconds: number;
    revocationSeedSeconds: number;
    /** The big partner's client whose page is measured, and how many numbers it has. */
    bigClient: { name: string; numbers: number };
    /** The status filter measured, and how many of the big partner's numbers it matches. */
    filter: { query: string; matches: number };
  };
  loads: LoadResult[];
  exports: { mode: string; ms: number; rows: number; bytes: number; sha256: string; maxRssMb: number; rssBeforeMb: number }[];
  revocations: { mode: string; ms: number; finalized: number; removed: number; maxRssMb: number }[];
  imports: {
    mode: string;
    ms: number;
    records: number;
    created: number;
    maxRssMb: number;
    rssBeforeMb: number;
    retainedMb: number;
    bootRetainedMb: number;
  }[];
  /** The Partner API's ingestion of the same records, over HTTP. */
  ingestions: IngestionRun[];
  checks: Check[];
}

export interface Machine {
  cpu: string;
  memoryGb: number;
  os: string;
  node: string;
  commit: string;
}

/** A table's lines and a blank line, or nothing when it has no rows. */
const table = (rows: unknown[], lines: string[]) => (rows.length ? [...lines, ''] : []);

/** Writes bench/results/<date>-<dialect>.json (everything measured) and .md (for people). */
export function writeReport(dir: string, machine: Machine, r: DialectReport, suffix = ''): string[] {
  const base = join(dir, `${r.startedAt.slice(0, 10)}-${r.dialect}${suffix}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ machine, ...r }, null, 2)}\n`);
  const passed = r.checks.filter((c) => c.pass).length;
  const md = [
    `# Bench: ${r.dialect} (${r.startedAt.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `Commit ${machine.commit}. Machine: ${machine.cpu}, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}, ${r.engine}. ` +
      `Run took ${r.minutes.toFixed(1)} min; 1-minute load average ${r.loadAverage.atStart.toFixed(2)} at start, ${r.loadAverage.atEnd.toFixed(2)} at end. The app runs in NODE_ENV=production in a process of its own, ` +
      `with WEB_CONCURRENCY=${r.workers} (${r.workers} HTTP ${r.workers === 1 ? 'process' : 'workers and a jobs process'}; the baseline server runs as many processes); ` +
      'each server gets a 10 s warm-up load first (listed, not checked); autocannon loads it from the bench process over 127.0.0.1 (both share the machine, and on PostgreSQL so does the database).',
    '',
    `**${passed} of ${r.checks.length} checks pass.**`,
    '',
    '| | check | target | measured |',
    '|---|---|---|---|',
    ...r.checks.map((c) => `| ${c.pass ? 'pass' : '**FAIL**'} | ${c.what} | ${c.target} | ${c.measured} |`),
    '',
    '## Loads',
    '',
    'Each load: a warm-up, then the measured seconds on the same, already open connections (req/s and latencies are',
    'those of the requests sent in the measured part; non-2xx and errors count the whole run). "slowest with warm-up"',
    'includes the first request of each connection, which also waits for the busy server to accept the connection.',
    '',
    '| what | connections | seconds | req/s | p50 ms | p90 ms | p99 ms | max ms | requests | non-2xx | errors | slowest with warm-up ms |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.loads.map(
      (l) =>
        `| ${l.label} | ${l.connections} | ${l.seconds} | ${fmt(l.rps)} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.max} | ${fmt(l.requests)} | ${l.non2xx} | ${l.errors + l.timeouts} | ${l.maxWithWarmup} |`,
    ),
    '',
    // A run of some sections (--only) leaves the others' tables out.
    ...table(r.exports, [
      '## CSV export (each in a process of its own)',
      '',
      '| run | rows | ms | bytes | peak RSS MB | RSS before export MB | SHA-256 |',
      '|---|---|---|---|---|---|---|',
      ...r.exports.map(
        (e) =>
          `| ${e.mode} | ${fmt(e.rows)} | ${fmt(e.ms)} | ${fmt(e.bytes)} | ${fmt(e.maxRssMb)} | ${fmt(e.rssBeforeMb)} | \`${e.sha256.slice(0, 12)}…\` |`,
      ),
    ]),
    ...table(r.revocations, [
      '## Revocation job',
      '',
      r.workers > 1
        ? `The app's runs are the jobs process's work: in a process of its own with its flags (${JOBS_PROCESS_FLAGS.join(' ')}), and inside the loaded server, in its jobs process.`
        : 'The app runs the job in a process of its own, and inside the loaded server.',
      '',
      '| run | finalized | ms | peak RSS MB |',
      '|---|---|---|---|',
      ...r.revocations.map((v) => `| ${v.mode} | ${fmt(v.finalized)} | ${fmt(v.ms)} | ${fmt(v.maxRssMb)} |`),
    ]),
    ...table(r.imports, [
      '## accounts:import of the exported CSV into an empty partner (each in a process of its own)',
      '',
      'Heap kept: the heap in use right after a full collection, sampled each second during the import (the collections',
      'also lower the peak RSS somewhat).',
      '',
      '| run | records | numbers created | ms | most heap kept MB | heap kept when booted MB | peak RSS MB | RSS before import MB |',
      '|---|---|---|---|---|---|---|---|',
      ...r.imports.map(
        (i) =>
          `| ${i.mode} | ${fmt(i.records)} | ${fmt(i.created)} | ${fmt(i.ms)} | ${fmt(i.retainedMb)} | ${fmt(i.bootRetainedMb)} | ${fmt(i.maxRssMb)} | ${fmt(i.rssBeforeMb)} |`,
      ),
    ]),
    ...table(r.ingestions, [
      '## Partner API ingestion of the same records into another empty partner',
      '',
      "`PUT /api/operator/v1/partners/{partner}/channels` in the running app server (partner_channels JSON made from the CSV's",
      'records), one request after another, as the provider would load a partner.',
      '',
      '| run | requests | records | numbers created | refused | ms | median request ms | slowest request ms | first request ms | last request ms |',
      '|---|---|---|---|---|---|---|---|---|---|',
      ...r.ingestions.map(
        (i) =>
          `| ${i.mode} | ${fmt(i.batches)} | ${fmt(i.records)} | ${fmt(i.created)} | ${fmt(i.refused)} | ${fmt(i.ms)} | ${fmt(i.medianBatchMs)} | ${fmt(i.slowestBatchMs)} | ${fmt(i.firstBatchMs)} | ${fmt(i.lastBatchMs)} |`,
      ),
    ]),
    r.seeded
      ? `Seeded with DemoSeedService: ${fmt(r.seeded.numbers)} numbers in ${r.seeded.seedSeconds.toFixed(1)} s, ${fmt(r.seeded.small)} in ${r.seeded.smallSeedSeconds.toFixed(1)} s; due revocations (numbers and revocations) in ${r.seeded.revocationSeedSeconds.toFixed(1)} s. ` +
        `The big partner's numbers include one client with ${fmt(r.seeded.bigClient.numbers)} (“${r.seeded.bigClient.name}”, seeded by the bench), whose page is measured; ` +
        `the status filter measured (\`${r.seeded.filter.query}\`) matches ${fmt(r.seeded.filter.matches)} of them.`
      : '',
    '',
  ].join('\n');
  writeFileSync(`${base}.md`, md);
  return [`${relative(process.cwd(), base)}.md`, `${relative(process.cwd(), base)}.json`];
}
