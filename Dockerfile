# syntax=docker/dockerfile:1
# One image for the API (default), the Temporal worker and the migration, all compiled JavaScript:
#   docker run IMAGE                                 -> API
#   docker run IMAGE node dist/worker/main.js        -> worker (loads the prebuilt workflow bundle)
#   docker run IMAGE node dist/db/migrate.js         -> migrations

FROM node:24-bookworm-slim AS base
WORKDIR /app

FROM base AS deps
COPY package.json package-lock.json ./
# Runtime dependencies only: no TypeScript, tsx or bundler at run time.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM base AS build
COPY package.json package-lock.json ./
# The compiler, tsx and the workflow bundler are dev dependencies; `--ignore-scripts` keeps the
# `node` dev package from downloading a second Node binary (the base image has Node 24).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY api ./api
COPY activities ./activities
COPY core ./core
COPY db ./db
COPY providers ./providers
COPY workflows ./workflows
COPY worker ./worker
COPY scripts ./scripts
# tsc to dist/, then the workflows and their interceptors bundled once into dist/workflow-bundle.js.
RUN npm run build

FROM base AS runtime
# pg_dump must be at least the server's major version and Debian bookworm ships 15, so the
# client comes from the PostgreSQL apt repository, pinned to the server's major (compose: postgres:16).
ARG PG_MAJOR=16
ADD --chmod=644 https://www.postgresql.org/media/keys/ACCC4CF8.asc /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
      > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    NODE_OPTIONS=--enable-source-maps \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Code and dependencies stay root-owned and read-only to the unprivileged `node` user.
# package.json stays: its "type": "module" makes Node load dist/ as ES modules.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# KYC documents (ChargeGhar) are written here; compose mounts one volume for the API and workers.
RUN mkdir -p /var/lib/platform/kyc-documents /var/lib/platform/backups && chown -R node:node /var/lib/platform

USER node
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node directly rather than `npm run api`, so SIGTERM reaches the app for a graceful shutdown.
CMD ["node", "dist/api/main.js"]
