# Rubrica itself (the CLI today; the GitHub App builds on the same image).
# It talks to the host's Docker engine to start sandboxes: mount the socket,
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/repo:ro" rubrica check --week 1 /repo
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY rubrics ./rubrics
USER node
ENTRYPOINT ["node", "bin/rubrica.js"]
