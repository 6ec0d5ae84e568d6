#!/usr/bin/env bash
# Debian tools the tests read documents with: pdftoppm and pdftotext (poppler-utils) rasterise
# and extract the honours PDFs, zbarimg (zbar-tools) decodes their QR codes; and the browser
# the web console's tests drive (tests/browser: Playwright launches /usr/bin/chromium, so it
# never downloads a browser of its own) with a CJK font for its screenshots. Installed when
# missing and we are root (CI, the developers' machines); otherwise the line to run is printed
# and the document tests fail naming it.
set -euo pipefail

missing=()
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v zbarimg >/dev/null || missing+=(zbar-tools)
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "ensure-test-tools: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
else
  echo "ensure-test-tools: missing ${missing[*]}: sudo apt-get install ${missing[*]}" >&2
fi
