#!/usr/bin/env bash
# Debian's headless Chromium, its WebDriver and a Chinese font, for the browser tests
# (tests/browser): the pages are Chinese, and without a CJK font their screenshots show boxes.
#   scripts/chromium.sh ensure | status
# `ensure` installs what is missing from Debian's packages (apt-get update once, then
# apt-get install): no browser build is downloaded from anywhere else.
set -euo pipefail

browser=${LUOHU_CHROMIUM:-/usr/bin/chromium}
driver=${LUOHU_CHROMEDRIVER:-/usr/bin/chromedriver}

has_cjk_font() { command -v fc-list >/dev/null && [[ -n "$(fc-list :lang=zh-cn family)" ]]; }

missing() {
  local packages=()
  [[ -x "$browser" ]] || packages+=(chromium)
  [[ -x "$driver" ]] || packages+=(chromium-driver)
  has_cjk_font || packages+=(fonts-wqy-zenhei)
  echo "${packages[@]}"
}

as_root() {
  if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi
}

ensure() {
  local packages
  read -r -a packages <<<"$(missing)"
  if ((${#packages[@]})); then
    echo "chromium: installing Debian's ${packages[*]}" >&2
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
  fi
  status
}

status() {
  local packages
  read -r -a packages <<<"$(missing)"
  if ((${#packages[@]})); then
    echo "chromium: missing ${packages[*]}"
    return 1
  fi
  echo "chromium: $("$browser" --version 2>/dev/null); $("$driver" --version | cut -d' ' -f1-2)"
}

case "${1:-}" in
  ensure) ensure ;;
  status) status ;;
  *) echo "usage: $0 ensure|status" >&2; exit 2 ;;
esac
