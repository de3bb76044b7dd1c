#!/bin/sh
# `npm start`: install the packages, build, then serve (server/start.sh). npm install prints nothing
# until it ends (the first one downloads about 800 packages and may compile better-sqlite3: minutes on
# a small machine), and next build is quiet while it compiles, so each step says what it is doing and,
# every 30 s, that it still is. Arguments go to the server (-p port, -H host).
set -e

beat=
trap '[ -z "$beat" ] || kill "$beat" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in the foreground (so Ctrl+C reaches it) while a background loop says, every 30 s,
# that it is still running.
step() {
  doing=$1
  shift
  (
    start=$(date +%s)
    next=$((start + 30))
    while sleep 1; do
      now=$(date +%s)
      [ "$now" -lt "$next" ] || echo "Quire: still $doing ($((now - start)) s)..."
      [ "$now" -lt "$next" ] || next=$((next + 30))
    done
  ) &
  beat=$!
  status=0
  "$@" || status=$?
  kill "$beat" 2>/dev/null || true
  beat=
  return "$status"
}

echo "Quire: installing packages (npm install; the first time takes a few minutes)..."
step "installing packages" npm install --no-audit --no-fund
echo "Quire: building the site (next build; a minute or more)..."
step "building" npx --no-install next build
echo "Quire: starting the server..."
exec sh "$(dirname "$0")/../server/start.sh" "$@"
