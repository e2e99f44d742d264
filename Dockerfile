# The API and the worker share one image; compose picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
# pg_dump and pg_restore for the backups (README, "Backups and restore"), as new as the server:
# compose runs PostgreSQL 16, Debian 12's own client is 15 (too old to dump 16), so PostgreSQL's apt repository.
ARG PG_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${PG_MAJOR} \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY domain ./domain
COPY integrations ./integrations
COPY platform ./platform
COPY migrations ./migrations
COPY workflows ./workflows
COPY activities ./activities
COPY workers ./workers
COPY api ./api
COPY app ./app
# The operators' backup and restore commands (README, "Backups and restore"): docker compose exec worker npx tsx scripts/backup.ts
COPY scripts/backup.ts scripts/restore.ts ./scripts/
COPY tsconfig.json ./
# The volumes' mount points, the service's own (a named volume takes the folder's owner when first made).
RUN mkdir -p /var/lib/leguas/documents /var/lib/leguas/backups && chown -R node:node /var/lib/leguas
USER node
CMD ["npx", "tsx", "app/api.ts"]
