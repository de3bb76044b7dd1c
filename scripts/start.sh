#!/bin/sh
# `npm start`: install the packages, build, then serve (server/start.sh). npm prints nothing while it
# installs unless it writes to a terminal, and the first install compiles better-sqlite3, so each step
# says what it is doing and how long it may take. Arguments go to the server (-p port, -H host).
set -e
echo "Quire: installing packages (npm install; the first time takes a few minutes)..."
npm install --no-audit --no-fund
echo "Quire: building the site (next build; a minute or more)..."
npx --no-install next build
echo "Quire: starting the server..."
exec sh "$(dirname "$0")/../server/start.sh" "$@"
