import type { RouteError, RouteErrorCode, RouteObjectRef } from '../../ports/traffic-router.ts';

/** Where in a VirtualService an error is. */
export interface ErrorPlace {
  readonly virtualService: RouteObjectRef;
  readonly route?: string;
  readonly field?: string;
}

/**
 * Builds a {@link RouteError} whose message names the VirtualService, the route and the field, so
 * an Event or a log line is enough to find the problem.
 */
export function routeError(code: RouteErrorCode, place: ErrorPlace, detail: string): RouteError {
  const vs = `VirtualService ${place.virtualService.namespace}/${place.virtualService.name}`;
  const where = place.route === undefined ? vs : `${vs}, ${place.route}`;
  const field = place.field === undefined ? '' : ` (${place.field})`;
  return {
    kind: 'error',
    code,
    message: `${where}: ${detail}${field}`,
    virtualService: place.virtualService,
    ...(place.route === undefined ? {} : { route: place.route }),
    ...(place.field === undefined ? {} : { field: place.field }),
  };
}
