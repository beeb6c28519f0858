import { OpenAPIRegistry, OpenApiGeneratorV3, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Full path as a client calls it, e.g. /maxtera/api/v1/wallet/fund/ */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  secured: boolean;
  body?: z.ZodType;
  /** How the body is sent; JSON unless said otherwise (file uploads are multipart). */
  bodyType?: 'application/json' | 'multipart/form-data' | 'application/x-www-form-urlencoded';
  query?: z.ZodObject;
  params?: z.ZodObject;
  idempotent?: boolean;
  /** The admin permission the route checks, published as `x-permission` so clients and tests can read it. */
  permission?: { resource: string; action: string };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

/** Collects every route's schemas; the same zod objects validate requests at run time. */
export function createOpenApiRegistry() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });

  return {
    document(route: RouteDoc): void {
      registry.registerPath({
        method: route.method,
        path: route.path.replace(/:(\w+)/g, '{$1}'),
        tags: [route.tag],
        summary: route.summary,
        description: route.description,
        security: route.secured ? [{ [bearer.name]: [] }] : undefined,
        ...(route.permission && { 'x-permission': route.permission }),
        request: {
          body: route.body ? { content: { [route.bodyType ?? 'application/json']: { schema: route.body } } } : undefined,
          query: route.query,
          params: route.params,
          headers: route.idempotent
            ? z.object({
                'Idempotency-Key': z.string().max(255).optional().openapi({
                  description: 'Replays the first response for the same key and body; 422 for another body.',
                }),
              })
            : undefined,
        },
        responses: Object.fromEntries(
          Object.entries(route.responses).map(([status, r]) => [
            status,
            { description: r.description, content: r.schema ? { 'application/json': { schema: r.schema } } : undefined },
          ]),
        ),
      });
    },
    generate(info: { title: string; version: string; description: string }) {
      return new OpenApiGeneratorV3(registry.definitions).generateDocument({ openapi: '3.0.3', info });
    },
  };
}

export type OpenApi = ReturnType<typeof createOpenApiRegistry>;
