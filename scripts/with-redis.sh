#!/bin/sh
# Run a command with REDIS_URL naming a Redis server (what `make test` runs pytest under).
#
# If REDIS_URL is already set (.ci/run starts Redis and exports it; a developer may point it at
# their own), the command runs as it is. Otherwise a throwaway redis-server is started on a free
# port of 127.0.0.1 — no disk, nothing saved — REDIS_URL names it for the command, and it is
# stopped when the command ends, whatever its outcome. Without redis-server the command runs
# without REDIS_URL (its Redis tests then fail under CI=true and skip otherwise).
set -u

if [ -n "${REDIS_URL:-}" ]; then
    exec "$@"
fi
if ! command -v redis-server >/dev/null 2>&1; then
    echo "with-redis: redis-server is not installed (sudo apt-get install redis-server); running without Redis" >&2
    exec "$@"
fi

PYTHON=${PYTHON:-python3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/grievance-redis.XXXXXX")
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"

stop() {
    if [ -f "$dir/redis.pid" ]; then
        kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            [ -f "$dir/redis.pid" ] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || break
            sleep 0.2
        done
    fi
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Wait until it answers PING (a few tenths of a second).
"$PYTHON" - "$port" <<'PY'
import socket, sys, time
deadline = time.monotonic() + 15
while True:
    try:
        with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("with-redis: the throwaway redis-server did not answer")
    time.sleep(0.1)
PY
echo "with-redis: a throwaway Redis on 127.0.0.1:$port for this run (REDIS_URL=redis://127.0.0.1:$port/0)"
REDIS_URL="redis://127.0.0.1:$port/0"
export REDIS_URL
"$@"
status=$?
exit $status
