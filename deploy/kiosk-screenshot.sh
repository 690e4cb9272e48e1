#!/usr/bin/env bash
# Writes what the kiosk screen shows as a binary PPM to stdout, for the agent's frozen/blank-screen
# check (selfcare.browser.screenshotCommand). cage runs as the same `kiosk` user and supports the
# wlr-screencopy protocol that grim uses.
set -euo pipefail
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}
export WAYLAND_DISPLAY=${WAYLAND_DISPLAY:-wayland-0}
exec grim -t ppm -
