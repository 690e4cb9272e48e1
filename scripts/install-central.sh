#!/usr/bin/env bash
# Installs the central monitor on a Debian-based server, as root. Idempotent. See docs/deploy.md.
#
#   scripts/install-central.sh [--dry-run] [--config EXAMPLE.json]   install or update
#   scripts/install-central.sh --uninstall [--purge] [--dry-run]      remove (--purge: also config, data, user)
#   --root DIR: install into a server image mounted at DIR (files only)
set -euo pipefail
PROG=install-central
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/install-lib.sh
source "$REPO/scripts/install-lib.sh"

# Options first: --root changes every target path below.
parse_install_options "$REPO/deploy/config/central.production.example.json" "$@"

PREFIX=$ROOT/opt/kiosk-central
ETC=$ROOT/etc/kiosk-central
CONFIG=$ETC/central.json
DATA=$ROOT/var/lib/kiosk-central
UNIT=$ROOT/etc/systemd/system/kiosk-central.service
USER_NAME=${KIOSK_USER:-kiosk-central}
PACKAGES=(sqlite3 ca-certificates)

[[ $PURGE == 1 && $UNINSTALL == 0 ]] && die "--purge goes with --uninstall"
if [[ $DRY_RUN == 1 ]]; then
  say "dry run: nothing is changed; every action is printed"
elif [[ $(id -u) != 0 ]]; then
  die "run as root (or with --dry-run to see the plan)"
fi

do_uninstall() {
  if live_system; then act systemctl disable --now kiosk-central.service; fi
  remove_path "$UNIT"
  if live_system; then act systemctl daemon-reload; fi
  remove_path "$PREFIX"
  if [[ $PURGE == 1 ]]; then
    remove_path "$ETC" "$DATA"
    remove_user "$USER_NAME"
  else
    say "kept: $ETC (config), $DATA (fleet database), user $USER_NAME; --purge removes them"
  fi
}

do_install() {
  require_node
  if [[ -z $ROOT ]]; then
    ensure_packages "${PACKAGES[@]}"
    ensure_system_user "$USER_NAME" "$DATA"
  else
    say "not managed with --root: packages ${PACKAGES[*]}; user $USER_NAME (the image build's job)"
  fi
  install_tree "$REPO" "$PREFIX"
  local check
  check=$(node --import tsx "$REPO/deploy/check-central-config.ts" "$EXAMPLE" 2>&1) || die "the example config is invalid: $check"
  say "check: $check"
  install_config "exists; an operator's edits are never overwritten" \
    "kiosk secrets; add dashboard users (central hash-password) before going live"
  ensure_dir "$DATA" 0750 "$USER_NAME:$USER_NAME"
  put_file "$UNIT" 0644 root:root <"$REPO/deploy/systemd/kiosk-central.service"
  if live_system; then
    act systemctl daemon-reload
    act systemctl enable kiosk-central.service
    act systemctl restart kiosk-central.service
  else
    say "note: systemd is not running here; enable kiosk-central.service at boot"
  fi
  say "done. Central listens on loopback; put a TLS reverse proxy in front for the kiosks (docs/deploy.md)."
}

if [[ $UNINSTALL == 1 ]]; then do_uninstall; else do_install; fi
