import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the decorators (and their metadata) that Nest and MikroORM read.
const plugins = [swc.vite({ module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        plugins,
        // The pure parts: no app, no database, no network; runs in seconds.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], pool: 'threads' },
      },
      {
        plugins,
        test: {
          name: 'app',
          include: ['test/e2e/**/*.test.ts'],
          pool: 'forks',
          // Every file builds its own apps on its own database, so the files a worker runs share
          // the modules it imported: importing Nest and the app again for each file took some
          // 3 s of a worker's time per file (185 s over both workers of a 316 s run on 2 cores).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
          maxWorkers: 1,
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
