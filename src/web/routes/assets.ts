import { readFileSync } from 'node:fs';
import type { RouteGroup } from '../context.ts';

/** Our own stylesheet and script (the CSP allows nothing else); a fixed list, never a path from the URL. */
const ASSETS: Record<string, string> = { 'dashboard.css': 'text/css; charset=utf-8', 'dashboard.js': 'text/javascript; charset=utf-8' };
const cache = new Map<string, Buffer>();

export const assetRoutes: RouteGroup = (router) => {
  router.get('/dashboard/assets/:name', 'public', (ctx) => {
    const type = ASSETS[ctx.params.name!];
    if (!type) return ctx.refuse(404, 'error.404.title', 'error.404.body');
    let body = cache.get(ctx.params.name!);
    if (!body) cache.set(ctx.params.name!, (body = readFileSync(new URL(`../assets/${ctx.params.name}`, import.meta.url))));
    ctx.res.setHeader('cache-control', 'public, max-age=600');
    ctx.send(200, { 'content-type': type }, body);
  });
};
