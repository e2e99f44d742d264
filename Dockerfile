# The API and the worker share one image; compose picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
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
COPY tsconfig.json ./
USER node
CMD ["npx", "tsx", "app/api.ts"]
