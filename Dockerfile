# One image for every stockflow role; the role is the command (see docker-compose.yml).
# There is no build step: tsx runs the TypeScript sources as they are.
FROM node:20-bookworm-slim

# Express and friends skip their development-only behaviour (stack traces in responses).
ENV NODE_ENV=production

WORKDIR /app

# Dependencies first, in their own layer, so editing a source file does not re-run npm.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Only what `main.ts` loads at run time. stack/ is included because main.ts may import the
# local-stack code; it stays idle here because every component URL is set by compose.
COPY tsconfig.json main.ts ./
COPY lib ./lib
COPY domain ./domain
COPY ingest ./ingest
COPY processors ./processors
COPY api ./api
COPY sql ./sql
COPY schemas ./schemas
COPY stack ./stack
COPY generator ./generator

# The sources stay owned by root: the app cannot rewrite its own code.
USER node

EXPOSE 8000

# `node --import tsx` rather than `npx tsx`: one process, so SIGTERM from `docker stop`
# reaches the app directly and its graceful drain (SHUTDOWN_TIMEOUT_MS) runs.
ENTRYPOINT ["node", "--import", "tsx", "main.ts"]
CMD ["all"]
