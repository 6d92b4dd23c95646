/** A route as the APIs declare it: a method and its whole path, with `{name}` parameters. */
export interface RouteShape {
  method: string;
  path: string;
}

const escape = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/**
 * The methods each API path answers, for a 405's Allow header: `GET, HEAD` where it answers GET
 * (Express answers HEAD with it). Paths match without regard to case, as Express routes them.
 */
export function allowedMethods(routes: readonly RouteShape[]): (path: string) => string[] {
  const patterns = routes.map((route) => ({
    method: route.method.toUpperCase(),
    path: new RegExp(
      `^${route.path
        .split('/')
        .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : escape(part)))
        .join('/')}/?$`,
      'i',
    ),
  }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.path.test(path)).map((p) => p.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
