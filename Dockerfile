# syntax=docker/dockerfile:1
# One image for the API (default), the Temporal worker and the migration:
#   docker run IMAGE                                        -> API
#   docker run IMAGE node --import tsx worker/main.ts       -> worker
#   docker run IMAGE npm run migrate                        -> migrations

FROM node:24-bookworm-slim AS base
WORKDIR /app

FROM base AS deps
COPY package.json package-lock.json ./
# Dev dependencies stay out: the app runs TypeScript through tsx (a runtime dependency), and
# the `node` dev package would download a second Node binary.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

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
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Code and dependencies stay root-owned and read-only to the unprivileged `node` user.
COPY --from=deps /app/node_modules ./node_modules
COPY . .

USER node
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node directly rather than `npm run api`, so SIGTERM reaches the app for a graceful shutdown.
CMD ["node", "--import", "tsx", "api/main.ts"]
