import type { RequestHandler, Router } from 'express';
import type { OpenApi, RouteDoc } from './openapi.js';

/** Registers a route and its OpenAPI description together, so the two cannot drift apart. */
export function routeBuilder(router: Router, openapi: OpenApi, surface: { mountPath: string; tag: string }) {
  return (doc: Omit<RouteDoc, 'tag'>, ...handlers: RequestHandler[]): void => {
    openapi.document({ ...doc, tag: surface.tag, path: surface.mountPath + doc.path });
    router[doc.method](doc.path, ...handlers);
  };
}
