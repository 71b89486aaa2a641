#!/usr/bin/env bash
# Regenerate the sqlx offline query data in .sqlx/ after changing a query or a
# migration in crates/core. Needs sqlx-cli:
#   cargo install sqlx-cli --no-default-features --features sqlite,rustls --locked
set -euo pipefail
cd "$(dirname "$0")/.."
DB=$(mktemp -d)/patchbay-dev.db
export DATABASE_URL="sqlite:$DB"
sqlx database create
sqlx migrate run --source crates/core/migrations
SQLX_OFFLINE=false cargo sqlx prepare --workspace -- -p patchbay-core --lib
echo "updated .sqlx/ — commit it"
