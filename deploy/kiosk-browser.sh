#!/usr/bin/env bash
# The kiosk screen: Chromium in kiosk mode pointed at the agent, with a fresh profile every start.
# Run by kiosk-browser.service inside cage (a Wayland kiosk compositor) as the `kiosk` user.
# Environment: KIOSK_URL (default http://127.0.0.1:5846/), KIOSK_BROWSER (default chromium),
# KIOSK_PROFILE_DIR (default $XDG_RUNTIME_DIR/kiosk-browser-profile).
set -euo pipefail

url=${KIOSK_URL:-http://127.0.0.1:5846/}
browser=${KIOSK_BROWSER:-chromium}
profile=${KIOSK_PROFILE_DIR:-${XDG_RUNTIME_DIR:-/tmp}/kiosk-browser-profile}

# Fresh profile: nothing from a previous citizen (cache, form data, history) survives a restart,
# and a profile left broken by a power cut can't bring up a "restore pages?" bubble.
rm -rf -- "$profile"
mkdir -m 0700 -p -- "$profile"

# Wait for the agent (it may still be recovering after a power cut); the UI copes with a late
# agent anyway, so after two minutes the browser starts regardless.
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null --max-time 2 "${url%/}/healthz" && break
  sleep 1
done

flags=(
  --kiosk "$url"
  --user-data-dir="$profile"
  # No first-run, default-browser, crash-restore or error dialogs over the citizen's screen.
  --no-first-run
  --no-default-browser-check
  --noerrdialogs
  --disable-session-crashed-bubble
  --disable-infobars
  --hide-crash-restore-bubble
  # No translate bar, no swipe-to-go-back, no pinch zoom, no password or autofill prompts.
  --disable-translate
  --disable-features=Translate,TranslateUI,OverscrollHistoryNavigation,TouchpadOverscrollHistoryNavigation,PasswordManagerOnboarding,AutofillServerCommunication,MediaRouter
  --overscroll-history-navigation=0
  --disable-pinch
  --password-store=basic
  --disable-sync
  # Updates come with the OS image, never in front of a citizen.
  --disable-component-update
  --check-for-update-interval=31536000
  --simulate-outdated-no-au='Tue, 31 Dec 2099 23:59:59 GMT'
  # Voice guidance plays without a tap first.
  --autoplay-policy=no-user-gesture-required
  --ozone-platform-hint=auto
)
# The managed policy the installer writes (deploy/chromium-policy.json) also turns off the password
# manager, translate, dev tools and every URL but the agent's; the UI itself blocks context menus.
exec "$browser" "${flags[@]}"
