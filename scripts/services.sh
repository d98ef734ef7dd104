# Sourced by scripts/test.sh: the services the tests need, from Debian's packages, on loopback only.
# - PostgreSQL: a throwaway cluster in a temporary folder on 127.0.0.1, stopped and deleted when the shell exits;
#   its URL goes to TRADELEX_TEST_DATABASE_URL (the licence tests run on it and on SQLite).
# - Chromium: Debian's build, driven by Playwright's Python client; its path goes to TRADELEX_CHROMIUM.
# TRADELEX_REQUIRE_SERVICES=1 makes those tests fail rather than skip when a service is missing.

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_debian_packages() {
    local missing=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing from Debian: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

start_postgres() {
    local bin port dir owner
    bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$(mktemp -d /tmp/tradelex-pg.XXXXXX)
    # PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's postgres user.
    owner=$(id -un); [ "$(id -u)" = 0 ] && owner=postgres
    chown "$owner" "$dir"
    local as_owner=""; [ "$(id -un)" = "$owner" ] || as_owner="runuser -u $owner --"
    run_as() { $as_owner "$@"; }
    run_as "$bin/initdb" -D "$dir/data" -U tradelex --auth=trust -E UTF8 >/dev/null
    run_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
    run_as "$bin/createdb" -h 127.0.0.1 -p "$port" -U tradelex tradelex_test
    export TRADELEX_TEST_DATABASE_URL="postgresql+psycopg://tradelex@127.0.0.1:$port/tradelex_test"
    # shellcheck disable=SC2064  # expand now: the trap must stop this cluster, not whatever the variables hold later
    trap "$as_owner '$bin/pg_ctl' -D '$dir/data' -m fast stop >/dev/null; rm -rf '$dir'" EXIT
    echo "PostgreSQL on 127.0.0.1:$port for the tests"
}

install_debian_packages
start_postgres
export TRADELEX_CHROMIUM=/usr/bin/chromium
export TRADELEX_REQUIRE_SERVICES=1
