#!/usr/bin/env bash
# Installs the kiosk (agent + kiosk browser) on a Debian-based kiosk image, as root. Idempotent:
# running it again changes only what differs. See docs/deploy.md.
#
#   scripts/install-kiosk.sh [--dry-run] [--config EXAMPLE.json]   install or update
#   scripts/install-kiosk.sh --uninstall [--purge] [--dry-run]      remove (--purge: also config, data, user)
#   --root DIR: install into a kiosk image mounted at DIR (files only; packages, user, services are the image's)
set -euo pipefail
PROG=install-kiosk
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/install-lib.sh
source "$REPO/scripts/install-lib.sh"

# Options first: --root changes every target path below.
parse_install_options "$REPO/deploy/config/kiosk.production.example.json" "$@"

PREFIX=$ROOT/opt/kiosk
ETC=$ROOT/etc/kiosk
CONFIG=$ETC/kiosk.json
DATA=$ROOT/var/lib/kiosk
LOGS=$ROOT/var/log/kiosk
UNITS=$ROOT/etc/systemd/system
UDEV_RULES=$ROOT/etc/udev/rules.d/70-kiosk.rules
POLKIT_RULE=$ROOT/etc/polkit-1/rules.d/50-kiosk-browser.rules
CHROMIUM_POLICY=$ROOT/etc/chromium/policies/managed/kiosk.json
JOURNALD_CONF=$ROOT/etc/systemd/journald.conf.d/50-kiosk.conf
USER_NAME=${KIOSK_USER:-kiosk}
GROUPS_NEEDED=(dialout lp video plugdev)
# cage: Wayland kiosk compositor; grim: screen captures for the frozen-screen check; the CJK font for the zh-CN UI; espeak-ng for voice guidance;
# ffmpeg for the camera; polkitd lets the agent restart the browser; sqlite3 for field engineers.
PACKAGES=(cage grim chromium fonts-noto-cjk espeak-ng ffmpeg udev polkitd sqlite3 curl ca-certificates)

[[ $PURGE == 1 && $UNINSTALL == 0 ]] && die "--purge goes with --uninstall"
if [[ $DRY_RUN == 1 ]]; then
  say "dry run: nothing is changed; every action is printed"
elif [[ $(id -u) != 0 ]]; then
  die "run as root (or with --dry-run to see the plan)"
fi

do_uninstall() {
  if live_system; then
    act systemctl disable --now kiosk-browser.service kiosk-agent.service
  fi
  remove_path "$UNITS/kiosk-agent.service" "$UNITS/kiosk-browser.service" "$UDEV_RULES" "$POLKIT_RULE" "$CHROMIUM_POLICY" "$JOURNALD_CONF"
  if live_system; then act systemctl daemon-reload; fi
  if live_system && command -v udevadm >/dev/null; then act udevadm control --reload-rules; fi
  remove_path "$PREFIX"
  if [[ $PURGE == 1 ]]; then
    remove_path "$ETC" "$DATA" "$LOGS"
    remove_user "$USER_NAME"
  else
    say "kept: $ETC (config), $DATA (journal and audit log), user $USER_NAME; --purge removes them"
  fi
}

do_install() {
  require_node
  if [[ -z $ROOT ]]; then
    ensure_packages "${PACKAGES[@]}"
    ensure_system_user "$USER_NAME" "$DATA" "${GROUPS_NEEDED[@]}"
  else
    say "not managed with --root: packages ${PACKAGES[*]}; user $USER_NAME in ${GROUPS_NEEDED[*]} (the image build's job)"
  fi
  install_tree "$REPO" "$PREFIX"

  # The config: from the example on first install only; an operator's edits are never overwritten.
  # Validating reads only, so it runs in a dry run too.
  local check
  check=$(node "$REPO/bin/kiosk.js" config check --config "$EXAMPLE" 2>&1) || die "the example config is invalid: $check"
  say "check: $check"
  install_config "exists; edit it, then: npx kiosk config check --config $CONFIG" \
    "values (central.secret): set them before going live"

  ensure_dir "$DATA" 0750 "$USER_NAME:$USER_NAME"
  ensure_dir "$LOGS" 0750 "$USER_NAME:$USER_NAME"

  node "$REPO/deploy/udev-rules.mjs" "$SOURCE_CONFIG" | put_file "$UDEV_RULES" 0644 root:root
  if live_system && command -v udevadm >/dev/null; then
    act udevadm control --reload-rules
    act udevadm trigger --subsystem-match=tty --subsystem-match=usbmisc --subsystem-match=hidraw
  fi
  put_file "$POLKIT_RULE" 0644 root:root <"$REPO/deploy/polkit/50-kiosk-browser.rules"
  put_file "$CHROMIUM_POLICY" 0644 root:root <"$REPO/deploy/chromium-policy.json"
  # Log rotation: the agent and browser log to journald, bounded here.
  put_file "$JOURNALD_CONF" 0644 root:root <"$REPO/deploy/journald/50-kiosk.conf"
  if live_system; then act systemctl restart systemd-journald.service; fi

  put_file "$UNITS/kiosk-agent.service" 0644 root:root <"$REPO/deploy/systemd/kiosk-agent.service"
  put_file "$UNITS/kiosk-browser.service" 0644 root:root <"$REPO/deploy/systemd/kiosk-browser.service"
  if live_system; then
    act systemctl daemon-reload
    act systemctl enable kiosk-agent.service kiosk-browser.service
    act systemctl set-default graphical.target
    act systemctl restart kiosk-agent.service kiosk-browser.service
  else
    say "note: systemd is not running here; enable kiosk-agent.service and kiosk-browser.service at boot"
  fi
  say "done. Check with: sudo -u $USER_NAME node $PREFIX/bin/kiosk.js doctor --config $CONFIG"
}

if [[ $UNINSTALL == 1 ]]; then do_uninstall; else do_install; fi
