#!/bin/sh
# Starts Quire's production server (server/index.mjs) with the memory settings it is measured and
# documented with (docs/operations.md#memory): `npm start` and `npm run serve` run this, and so can
# a container's command or systemd's ExecStart=. It execs Node, so signals reach the server itself.
#
# - glibc's malloc: two arenas instead of eight per core, and blocks over 128 KB mapped on their own
#   so that freeing them gives the memory back (its default threshold rises up to 32 MB once a large
#   block is freed, and the space freed below the heap's top stays resident): 20-30 MB less RSS under
#   load after a crawl. Set either variable yourself to choose another value.
# - V8: a 192 MB old generation (about 1.5 times what a busy server keeps live) and an 8 MB semi-space
#   for the young generation. Any further arguments go to server/index.mjs (-H host, -p port, --dev).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
exec node --max-old-space-size=192 --max-semi-space-size=8 "$(dirname "$0")/index.mjs" "$@"
