# The API and the worker share one image; compose picks the command (node dist/app/api.js or
# node dist/app/worker.js). Node 24, a supported LTS: the test suite runs the same build on it
# (test/e2e/production-build.test.ts, scripts/lib/node-lts.ts holds the version in step).

# Build: every dependency, the TypeScript compiled and the workflows bundled (npm run build).
FROM node:24.22.3-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY domain ./domain
COPY integrations ./integrations
COPY platform ./platform
COPY migrations ./migrations
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY api ./api
COPY app ./app
COPY scripts ./scripts
RUN npm run build

# Run: production dependencies and the built JavaScript only (no TypeScript, no tsx, no embedded PostgreSQL).
FROM node:24.22.3-bookworm-slim
WORKDIR /app
# pg_dump and pg_restore for the backups (README, "Backups and restore"), as new as the server:
# compose runs PostgreSQL 16, Debian 12's own client is 15 (too old to dump 16), so PostgreSQL's apt repository.
# ffmpeg turns agents' recordings into voice notes WhatsApp plays (Opus in OGG; README, "The bridge").
ARG PG_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-common ffmpeg \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# glibc keeps freed native memory per arena (one per thread, up to 8 per core): with two, a burst of
# registrations peaked at 736 MB in the API and 679 MB in the worker instead of 1,303 and 861 (bench/registration).
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The volumes' mount points, the service's own (a named volume takes the folder's owner when first made).
RUN mkdir -p /var/lib/leguas/documents /var/lib/leguas/backups && chown -R node:node /var/lib/leguas
USER node
# The operators' commands run the same way, e.g. docker compose exec api node dist/scripts/accounts.js add ana --role reviewer
CMD ["node", "dist/app/api.js"]
