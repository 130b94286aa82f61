#!/usr/bin/env bash
# Builds deploy/Containerfile.scratch around a host-built binary with buildah
# (no registry, no daemon), then checks the image: `imapload --version` runs
# in it as a non-root user and names the commit, and the OCI labels carry the
# version and the commit. Usage: scripts/container-smoke.sh [BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/debug/imapload}
tag="localhost/imapload-smoke:$$"
b=(buildah --storage-driver vfs)
ctx=$(mktemp -d)
cleanup() {
    "${b[@]}" rm "smoke-$$" >/dev/null 2>&1 || true
    "${b[@]}" rmi "$tag" >/dev/null 2>&1 || true
    rm -rf "$ctx"
}
trap cleanup EXIT

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
mkdir -p "$ctx/root/usr/local/bin" "$ctx/root/etc/ssl/certs"
cp "$bin" "$ctx/root/usr/local/bin/imapload"
# The shared libraries and the loader, at the paths the binary asks for.
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$ctx/root$(dirname "$lib")"
    cp -L "$lib" "$ctx/root$lib"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$ctx/root/etc/ssl/certs/" 2>/dev/null || true
cp deploy/Containerfile.scratch "$ctx/Containerfile"

"${b[@]}" bud --quiet --isolation chroot --build-arg "VERSION=$version" \
    --build-arg "GIT_COMMIT=$commit" -t "$tag" "$ctx" >/dev/null
"${b[@]}" from --name "smoke-$$" "$tag" >/dev/null
said=$("${b[@]}" run --isolation chroot "smoke-$$" -- /usr/local/bin/imapload --version)
user=$("${b[@]}" inspect --format '{{.OCIv1.Config.User}}' "$tag")
labels=$("${b[@]}" inspect --format '{{.OCIv1.Config.Labels}}' "$tag")
echo "image: $said; user $user; labels $labels"
[ "$said" = "imapload $version (commit $commit)" ] || { echo "unexpected --version: $said" >&2; exit 1; }
[ "$user" = "10001:10001" ] || { echo "runs as '$user', not 10001" >&2; exit 1; }
case "$labels" in
*"org.opencontainers.image.revision:$commit"*"org.opencontainers.image.version:$version"*) ;;
*) echo "labels lack the version or commit: $labels" >&2; exit 1 ;;
esac
echo "container smoke: passed"
