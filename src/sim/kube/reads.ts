/** GET of one object and of collections (label/field selectors, limit/continue). */
import type { ApiResult, SimContext, Target } from './context.ts';
import { toServed } from './meta.ts';
import type { Selector } from './selectors.ts';
import { badRequest, failureStatus, KubeApiError } from './status.ts';
import { apiVersionOf } from './types.ts';
import type { KubeObject } from './types.ts';
import { existingOr404 } from './writes.ts';

/** GET of a named object. */
export function getObject(ctx: SimContext, target: Target): ApiResult {
  const obj = existingOr404(ctx, target);
  return { code: 200, body: toServed(obj, target.type, target.version), warnings: [] };
}

/** Paging parameters of a list. */
export interface ListPaging {
  limit: number | undefined;
  continueToken: string | undefined;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

function decodeContinue(token: string, oldest: number): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid');
  }
  const t = parsed as Partial<ContinueToken>;
  if (typeof t.rv !== 'number' || typeof t.start !== 'string') throw badRequest('continue key is not valid');
  if (t.rv < oldest) {
    throw new KubeApiError(
      failureStatus(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      ),
    );
  }
  return { rv: t.rv, start: t.start };
}

/**
 * A list. Items of built-in lists carry no apiVersion/kind (typed lists omit them); custom
 * resource lists keep them, as kube-apiserver does. Continue pages are served from the current
 * state rather than a snapshot at the first page's resourceVersion.
 */
export function listObjects(
  ctx: SimContext,
  target: Target,
  selector: Selector,
  paging: ListPaging,
): ApiResult {
  const type = target.type;
  // The stored objects are only read here; toServed below makes the one copy each item needs.
  let items = ctx.store.view(type, type.namespaced ? target.namespace : undefined).filter(selector);
  const rv = ctx.store.currentRv();
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (paging.continueToken !== undefined && paging.continueToken !== '') {
    const token = decodeContinue(paging.continueToken, ctx.store.oldestResumable(type));
    items = items.filter((o) => keyOf(o) > token.start);
    metadata.resourceVersion = String(token.rv);
  }
  if (paging.limit !== undefined && paging.limit > 0 && items.length > paging.limit) {
    const page = items.slice(0, paging.limit);
    const last = page[page.length - 1];
    const tokenRv = Number(metadata.resourceVersion);
    metadata.continue = Buffer.from(
      JSON.stringify({ rv: tokenRv, start: last === undefined ? '' : keyOf(last) }),
    ).toString('base64url');
    metadata.remainingItemCount = items.length - page.length;
    items = page;
  }
  const served = items.map((o) => {
    const s = toServed(o, type, target.version);
    if (type.custom) return s;
    const { apiVersion: _a, kind: _k, ...rest } = s;
    return rest;
  });
  return {
    code: 200,
    body: {
      kind: type.listKind,
      apiVersion: apiVersionOf(type.group, target.version),
      metadata,
      items: served,
    },
    warnings: [],
  };
}
