#!/usr/bin/env bash
# Runs `pulumi up|preview|destroy` on one stack (STACK, default dev), from any
# machine: it picks a backend, a passphrase and the stack without prompting.
# `region` prints the stack file's aws:region (CI gives it to the AWS credentials).
#   Stack: must have its Pulumi.<stack>.yaml here, so that a typo in STACK
#     does not create and deploy a new stack; NEW=1 creates one on purpose,
#     and writes its stack file (the defaults) if Pulumi wrote none.
#   Backend: the one you are logged in to; if none, a file backend in
#     PULUMI_STATE_DIR (default .pulumi-state/, git-ignored).
#   Passphrase (file backends only): PULUMI_CONFIG_PASSPHRASE(_FILE) if set;
#     otherwise one generated once into $PULUMI_STATE_DIR/passphrase (mode 600).
#   Destroying a production stack (its stack file sets
#     serverless-workflows:retainData: true) asks for the stack name to be
#     typed; CONFIRM=<stack> answers ahead (CI). Without a terminal and
#     without CONFIRM it refuses.
#   YES=1 skips pulumi's confirmation prompt (needed without a terminal).
#   Policy pack: up and preview run policy/ with the stack's project-rule levels
#     (houseRules, and the catalogue's own), written by `python -m deployment
#     --policy-pack-config` (PYTHON, default .venv/bin/python) into a temporary file.
# Refusals print one line and exit 2 before anything is changed.
set -euo pipefail

refuse() {
  echo "$*" >&2
  exit 2
}

action=${1:-}
case "$action" in
  up|preview|destroy|region) ;;
  *) refuse "usage: $0 up|preview|destroy|region (stack from STACK, default dev)" ;;
esac
stack=${STACK:-dev}
cd "$(dirname "$0")/.."
state_dir=${PULUMI_STATE_DIR:-$PWD/.pulumi-state}

# Every physical AWS name is built from the stack name (docs/delivery.md#adding-an-environment).
if ! [[ "$stack" =~ ^[a-z0-9][a-z0-9-]{0,19}$ ]]; then
  refuse "Stack name '$stack' is not valid: use 1 to 20 lowercase letters, digits or '-', starting with a letter or digit."
fi

stack_file=Pulumi.$stack.yaml
if [ "$action" = region ]; then
  [ -f "$stack_file" ] || refuse "No stack '$stack': there is no $stack_file."
  line=$(grep -E '^[[:space:]]*aws:region:' "$stack_file" | tail -n 1) || true
  region=${line#*aws:region:}
  region=$(echo "${region%%#*}" | tr -d "[:space:]\"'")
  [ -n "$region" ] || refuse "$stack_file sets no aws:region; set it with: pulumi config set aws:region <region> --stack $stack"
  echo "$region"
  exit 0
fi

if [ ! -f "$stack_file" ] && [ "${NEW:-0}" != "1" ]; then
  existing=$(find . -maxdepth 1 -name 'Pulumi.*.yaml' | sed 's|^\./Pulumi\.||; s|\.yaml$||' | sort | paste -sd, - | sed 's/,/, /g')
  refuse "No stack '$stack': there is no $stack_file (stacks here: ${existing:-none})." \
    "To create it, add NEW=1: make $([ "$action" = up ] && echo deploy || echo "$action") STACK=$stack NEW=1"
fi

# Production = the stack file sets retainData true (quoted or not). A retainData
# line with any other value than false also counts: when unsure, ask.
is_production() {
  local line value
  [ -f "$stack_file" ] || return 1
  line=$(grep -E '^[[:space:]]*serverless-workflows:retainData:' "$stack_file" | tail -n 1) || return 1
  value=${line#*retainData:}
  value=${value%%#*}
  value=$(echo "$value" | tr -d "[:space:]\"'" | tr '[:upper:]' '[:lower:]')
  [ "$value" != "false" ]
}

if [ "$action" = destroy ] && is_production; then
  if [ -n "${CONFIRM:-}" ]; then
    [ "$CONFIRM" = "$stack" ] || refuse "Not destroyed: CONFIRM=$CONFIRM does not name stack '$stack'."
  elif [ -t 0 ]; then
    read -r -p "Stack '$stack' is a production stack (retainData: true). Type its name to destroy it: " typed || typed=""
    [ "$typed" = "$stack" ] || refuse "Not destroyed: '$typed' is not '$stack'."
  else
    refuse "Refusing to destroy production stack '$stack' without a terminal; set CONFIRM=$stack to confirm."
  fi
fi

if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed; see https://www.pulumi.com/docs/install/." >&2
  echo "(make test needs neither the CLI nor an AWS account.)" >&2
  exit 2
fi

# The policy pack's config, from the stack file and the catalogue (a bad value there refuses
# here, before pulumi is asked anything); a new stack without a stack file gets it once written.
pack_config=""
write_pack_config() {
  local python=${PYTHON:-.venv/bin/python}
  command -v "$python" >/dev/null 2>&1 || refuse "No Python at $python: run make deps first (or set PYTHON)."
  pack_config=$(mktemp "${TMPDIR:-/tmp}/policy-pack-config.XXXXXX")
  trap 'rm -f "$pack_config"' EXIT
  "$python" -m deployment --policy-pack-config "$stack" > "$pack_config" || exit 2
}
if [ "$action" != destroy ] && [ -f "$stack_file" ]; then
  write_pack_config
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

# The stack file exists (or NEW=1 asked for a new stack): creating the stack in
# a backend that does not have it yet is what a first deploy there needs.
pulumi stack select --create "$stack" --non-interactive

# Pulumi writes a stack file only for secrets settings it must keep (a passphrase's salt):
# a new stack on Pulumi Cloud gets none, and the next run without NEW=1 would be refused.
if [ ! -f "$stack_file" ]; then
  printf '%s\n' "# Stack $stack, made by NEW=1 with the defaults: pulumi config set KEY VALUE --stack $stack" \
    "config: {}" > "$stack_file"
  echo "Wrote $stack_file (no values: the defaults); commit it. Set values with: pulumi config set KEY VALUE --stack $stack"
fi
if [ "$action" != destroy ] && [ -z "$pack_config" ]; then
  write_pack_config
fi

# ${a[@]+"${a[@]}"}: bash before 4.4 (macOS's is 3.2) calls an empty array unbound under set -u.
yes_flag=()
if [ "${YES:-0}" = "1" ]; then yes_flag=(--yes); fi
case "$action" in
  up) pulumi up --stack "$stack" --policy-pack policy --policy-pack-config "$pack_config" ${yes_flag[@]+"${yes_flag[@]}"} ;;
  preview) pulumi preview --stack "$stack" --diff --policy-pack policy --policy-pack-config "$pack_config" ;;
  destroy) pulumi destroy --stack "$stack" ${yes_flag[@]+"${yes_flag[@]}"} ;;
esac
