#!/usr/bin/env bash
# Vendor front-end assets from the npm registry into zhaoshang/static/vendor/.
#
# Only the npm registry is reachable (no CDN), so each package is fetched with
# `npm pack <pkg>@<version>`, extracted in a temporary directory, and the needed
# files are copied.  Trailing `//# sourceMappingURL=` / `/*# sourceMappingURL=`
# comments are stripped so that whitenoise's CompressedManifestStaticFilesStorage
# does not fail on the (deliberately not vendored) .map files.
#
# Versions are pinned exactly; to upgrade, change them here and re-run.
#   bootstrap        5.3.x  (latest 5.3)
#   bootstrap-icons  1.11.x (latest 1.11)
#   htmx.org         2.0.x  (NOT latest: npm "latest" is 4.x)
#   echarts          5.x    (latest 5)
#   jsqr             1.4.x  (the QR decoder of the portal's code check, where the browser
#                            has no BarcodeDetector)
set -euo pipefail

BOOTSTRAP_VERSION="${BOOTSTRAP_VERSION:-5.3.9}"
BOOTSTRAP_ICONS_VERSION="${BOOTSTRAP_ICONS_VERSION:-1.11.4}"
HTMX_VERSION="${HTMX_VERSION:-2.0.11}"
ECHARTS_VERSION="${ECHARTS_VERSION:-5.6.0}"
JSQR_VERSION="${JSQR_VERSION:-1.4.0}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/zhaoshang/static/vendor"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

# fetch NAME VERSION -> prints the extracted package directory
fetch() {
  local name="$1" version="$2" dir tgz
  dir="$TMP/$(echo "$name" | tr '/@' '__')"
  mkdir -p "$dir"
  tgz="$(cd "$dir" && npm pack --silent "$name@$version" | tail -n 1)"
  tar -xzf "$dir/$tgz" -C "$dir"
  echo "$dir/package"
}

# pkg_field PKGDIR FIELD -> value of a package.json field
pkg_field() {
  node -e 'const p=require(process.argv[1]+"/package.json");const v=p[process.argv[2]];process.stdout.write(typeof v==="object"&&v?(v.type||JSON.stringify(v)):String(v??""))' "$1" "$2"
}

# copy_strip SRC DST: copy a file, removing sourceMappingURL comments
copy_strip() {
  local src="$1" dst="$2"
  mkdir -p "$(dirname "$dst")"
  # Removes whole-line and trailing `//# sourceMappingURL=...` and
  # `/*# sourceMappingURL=... */` comments.
  sed -E \
    -e 's@/\*# sourceMappingURL=[^*]*\*/@@g' \
    -e 's@//# sourceMappingURL=.*$@@' \
    "$src" > "$dst"
}

rm -rf "$DEST"
mkdir -p "$DEST"
VERSIONS="$DEST/VERSIONS.txt"
{
  echo "# Vendored front-end packages (fetched from the npm registry by scripts/vendor.sh)."
  echo "# Do not edit these files by hand; re-run scripts/vendor.sh instead."
  echo "# package@version  licence"
} > "$VERSIONS"

record() {
  local pkg="$1"
  printf '%s@%s  %s\n' "$(pkg_field "$pkg" name)" "$(pkg_field "$pkg" version)" "$(pkg_field "$pkg" license)" >> "$VERSIONS"
}

# --- bootstrap --------------------------------------------------------------
pkg="$(fetch bootstrap "$BOOTSTRAP_VERSION")"
copy_strip "$pkg/dist/css/bootstrap.min.css"        "$DEST/bootstrap/bootstrap.min.css"
copy_strip "$pkg/dist/js/bootstrap.bundle.min.js"   "$DEST/bootstrap/bootstrap.bundle.min.js"
cp "$pkg/LICENSE" "$DEST/bootstrap/LICENSE"
record "$pkg"

# --- bootstrap-icons --------------------------------------------------------
pkg="$(fetch bootstrap-icons "$BOOTSTRAP_ICONS_VERSION")"
copy_strip "$pkg/font/bootstrap-icons.min.css" "$DEST/bootstrap-icons/bootstrap-icons.min.css"
mkdir -p "$DEST/bootstrap-icons/fonts"
cp "$pkg/font/fonts/bootstrap-icons.woff2" "$DEST/bootstrap-icons/fonts/bootstrap-icons.woff2"
cp "$pkg/font/fonts/bootstrap-icons.woff"  "$DEST/bootstrap-icons/fonts/bootstrap-icons.woff"
cp "$pkg/LICENSE" "$DEST/bootstrap-icons/LICENSE"
record "$pkg"

# --- htmx -------------------------------------------------------------------
pkg="$(fetch htmx.org "$HTMX_VERSION")"
copy_strip "$pkg/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
cp "$pkg/LICENSE" "$DEST/htmx/LICENSE"
record "$pkg"

# --- echarts ----------------------------------------------------------------
pkg="$(fetch echarts "$ECHARTS_VERSION")"
copy_strip "$pkg/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"
cp "$pkg/LICENSE" "$DEST/echarts/LICENSE"
[ -f "$pkg/NOTICE" ] && cp "$pkg/NOTICE" "$DEST/echarts/NOTICE"
record "$pkg"

# --- jsqr -------------------------------------------------------------------
pkg="$(fetch jsqr "$JSQR_VERSION")"
copy_strip "$pkg/dist/jsQR.js" "$DEST/jsqr/jsQR.js"
cp "$pkg/LICENSE" "$DEST/jsqr/LICENSE"
record "$pkg"

# --- checks -----------------------------------------------------------------
if grep -rIl 'sourceMappingURL' "$DEST" --include='*.js' --include='*.css'; then
  echo "ERROR: vendored files above still reference a source map" >&2
  exit 1
fi
# The icon CSS must refer to fonts via the relative fonts/ (or ./fonts/) path we copied.
grep -Eq 'url\("(\./)?fonts/bootstrap-icons\.woff2' "$DEST/bootstrap-icons/bootstrap-icons.min.css" \
  || { echo "ERROR: unexpected font path in bootstrap-icons.min.css" >&2; exit 1; }

echo "Vendored into $DEST:"
cat "$VERSIONS"
