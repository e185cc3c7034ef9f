# shellcheck shell=bash
# PostgreSQL for the store tests (sourced by .ci/run, which defines apt_install).
# Installs Debian's PostgreSQL (15 on Debian 12), starts its cluster, creates the role
# and database the tests use, and exports AUTOLAB_TEST_PG_URL. Each test then works in
# its own fresh schema of that database and drops it afterwards.
# Outside CI it can be sourced by hand (as root) to prepare a developer machine:
#   source .ci/services/postgres.sh
if ! declare -F apt_install >/dev/null; then
  apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt_install postgresql
fi
AUTOLAB_PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
# Some images install the server without creating the default cluster.
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$AUTOLAB_PG_VERSION main"; then
  pg_createcluster "$AUTOLAB_PG_VERSION" main >/dev/null
fi
# More connections than the default 100: concurrency tests and the bench open several pools.
pg_conftool "$AUTOLAB_PG_VERSION" main set max_connections 200 >/dev/null 2>&1 || true
if ! pg_lsclusters -h | grep -q "^$AUTOLAB_PG_VERSION  *main .*online"; then
  pg_ctlcluster "$AUTOLAB_PG_VERSION" main start
fi
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 0.5
done
pg_isready -h 127.0.0.1 -p 5432
if [ "$(su postgres -c "psql -Atqc 'SHOW max_connections'")" -lt 200 ]; then
  pg_ctlcluster "$AUTOLAB_PG_VERSION" main restart
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'autolab') THEN
    CREATE ROLE autolab LOGIN PASSWORD 'autolab';
  END IF;
END $$;
SELECT 'CREATE DATABASE autolab_test OWNER autolab' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'autolab_test')\gexec
SQL
export AUTOLAB_TEST_PG_URL="postgres://autolab:autolab@127.0.0.1:5432/autolab_test"
echo "PostgreSQL $AUTOLAB_PG_VERSION ready: AUTOLAB_TEST_PG_URL=$AUTOLAB_TEST_PG_URL"
