#!/usr/bin/env bash
# Runs `pulumi up|preview|destroy` on one stack (STACK, default dev), from any
# machine: it picks a backend, a passphrase and the stack without prompting.
#   Backend: the one you are logged in to; if none, a file backend in
#     PULUMI_STATE_DIR (default .pulumi-state/, git-ignored).
#   Passphrase (file backends only): PULUMI_CONFIG_PASSPHRASE(_FILE) if set;
#     otherwise one generated once into $PULUMI_STATE_DIR/passphrase (mode 600).
#   YES=1 skips pulumi's confirmation prompt (needed without a terminal).
set -euo pipefail

action=${1:-}
case "$action" in
  up|preview|destroy) ;;
  *) echo "usage: $0 up|preview|destroy" >&2; exit 2 ;;
esac
stack=${STACK:-dev}
cd "$(dirname "$0")/.."
state_dir=${PULUMI_STATE_DIR:-$PWD/.pulumi-state}

if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed; see https://www.pulumi.com/docs/install/." >&2
  echo "(make test needs neither the CLI nor an AWS account.)" >&2
  exit 2
fi

if [ -z "${PULUMI_BACKEND_URL:-}" ] && ! pulumi whoami >/dev/null 2>&1; then
  mkdir -p "$state_dir"
  export PULUMI_BACKEND_URL="file://$state_dir"
  echo "Not logged in to a Pulumi backend: keeping state in $state_dir (file backend)."
fi

backend=${PULUMI_BACKEND_URL:-$(pulumi whoami --verbose 2>/dev/null | sed -n 's/^Backend URL: *//p')}
if [[ "$backend" == file://* ]] && [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  passphrase_file=$state_dir/passphrase
  if [ ! -f "$passphrase_file" ]; then
    mkdir -p "$state_dir"
    (umask 077 && head -c 32 /dev/urandom | base64 > "$passphrase_file")
    echo "Generated a stack passphrase in $passphrase_file; keep it, it decrypts this stack's secrets."
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi

pulumi stack select --create "$stack" --non-interactive

yes_flag=()
if [ "${YES:-0}" = "1" ]; then yes_flag=(--yes); fi
case "$action" in
  up) pulumi up --stack "$stack" "${yes_flag[@]}" ;;
  preview) pulumi preview --stack "$stack" --diff ;;
  destroy) pulumi destroy --stack "$stack" "${yes_flag[@]}" ;;
esac
