import type { TestApp } from './app';

export interface RegisteredRoute {
  method: string;
  /** The route's path as registered, with its `:name` parameters. */
  path: string;
}

/** Every route the app registered with Express, one entry per method. */
export function registeredRoutes(t: TestApp): RegisteredRoute[] {
  const router = t.app.getHttpAdapter().getInstance().router as { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  return (
    router.stack
      // Nest's own catch-all answers unknown paths with 404; it is no route of ours.
      .filter((layer) => layer.route && layer.route.path !== '/{*all}')
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => ({ method: m.toUpperCase(), path: layer.route!.path })))
  );
}
