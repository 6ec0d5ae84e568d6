#!/usr/bin/env bash
# CI stage "stack": the operator's docker-compose.yml, built offline and tested for real.
#
#   deploy/ci/stack-stage.sh [pytest arguments]        (as root; CI runs it from .ci/run)
#
# Installs and starts what is missing (deploy/ci/ensure-docker.sh), removes what an interrupted
# earlier run left behind, builds the images without a registry (reusing what this machine
# built before: deploy/offline/build-images.sh), then runs the tests marked `stack`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }

[ -x .venv/bin/pytest ] || make setup
deploy/ci/ensure-docker.sh

# A test run that was killed keeps its containers, network and volumes: clear them by label.
for project in $(docker ps -a --format '{{.Label "com.docker.compose.project"}}' \
                 | grep '^gravitye2e' | sort -u); do
  echo "stack-stage: removing the leftovers of $project" >&2
  docker ps -aq --filter "label=com.docker.compose.project=$project" | xargs -r docker rm -f >/dev/null
  docker volume ls -q --filter "label=com.docker.compose.project=$project" \
    | xargs -r docker volume rm >/dev/null
  docker network ls -q --filter "label=com.docker.compose.project=$project" \
    | xargs -r docker network rm >/dev/null
done

env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
deploy/offline/build-images.sh --env-file "$env_file" >/dev/null
echo "stack-stage: images ready after $(elapsed)" >&2

GRAVITY_STACK_ENV_FILE="$env_file" .venv/bin/pytest -m stack tests/e2e/test_compose_stack.py tests/unit/test_compose_file.py "$@"
echo "stack-stage: passed in $(elapsed)" >&2
