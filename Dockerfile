# Multi-stage image for the worker and the API. Run one role per container:
#   docker run … hotline-supervision worker      (or: api)
# against an external Kafka (KAFKA_BROKERS) and PostgreSQL (DATABASE_URL).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY scripts/console-build.sh scripts/
# The supervisors' console (apps/console) as static files in dist/console, served by the API at /console.
RUN npm run build && bash scripts/console-build.sh && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production KAFKAJS_NO_PARTITIONER_WARNING=1 HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY config config
COPY scripts/node-role.sh scripts/
USER node
EXPOSE 3000 3001
# A role's environment and node options, if it has any, are config/node-options/<role>.env and
# config/node-options/<role> (scripts/node-role.sh; what npm run start:worker and the benchmarks use too).
ENTRYPOINT ["sh", "-c", "exec sh scripts/node-role.sh \"${0:-worker}\" \"dist/apps/${0:-worker}/src/main.js\""]
CMD ["worker"]
