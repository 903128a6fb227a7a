#!/usr/bin/env bash
# Run `make test` on Python 3.13 inside a Debian trixie root.
#
# Needs root and debootstrap. The root lives outside the repository, in
# $TRIXIE_ROOT (default /var/tmp/softmax-course-trixie), and is reused: the
# first run builds it (debootstrap, then trixie's python3, npm and chromium),
# later runs only check out the repository's current commit into it. The
# checkout keeps its .venv, npm folder and pip cache between runs, so `make
# setup` reinstalls only when pyproject.toml changed.
set -euo pipefail

REPO=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
TRIXIE_ROOT=${TRIXIE_ROOT:-/var/tmp/softmax-course-trixie}
PROJ=/root/softmax-course  # the checkout, as seen inside the root

if [ "$(id -u)" != 0 ]; then
    echo "test-py313 needs root (debootstrap, chroot, mount)" >&2
    exit 2
fi
if ! command -v debootstrap >/dev/null; then
    if command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    else
        echo "test-py313 needs debootstrap (apt-get install debootstrap)" >&2
        exit 2
    fi
fi
if [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no)" ]; then
    echo "note: uncommitted changes are not tested; the root gets HEAD $(git -C "$REPO" rev-parse --short HEAD)"
fi

in_root() { chroot "$TRIXIE_ROOT" env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }

if [ ! -x "$TRIXIE_ROOT/usr/bin/python3" ]; then
    echo "building the trixie root in $TRIXIE_ROOT (about 2 minutes)"
    rm -rf "$TRIXIE_ROOT"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,make,git,ca-certificates \
        trixie "$TRIXIE_ROOT" >/dev/null
fi
# The registries' certificates and this machine's resolver, fresh on every run.
cp /etc/resolv.conf "$TRIXIE_ROOT/etc/resolv.conf"
cp /etc/ssl/certs/ca-certificates.crt "$TRIXIE_ROOT/etc/ssl/certs/"

MOUNTED=()
unmount_all() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[i]}" || true; done
}
trap unmount_all EXIT
for d in proc dev sys; do
    mount --bind "/$d" "$TRIXIE_ROOT/$d"
    MOUNTED+=("$TRIXIE_ROOT/$d")
done

if ! in_root sh -c 'command -v npm && command -v chromium' >/dev/null; then
    in_root apt-get update -qq
    in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm chromium >/dev/null
fi

# The repository's current commit, checked out cleanly; .venv and the npm
# packages survive (make rebuilds them when their inputs change).
DEST=$TRIXIE_ROOT$PROJ
if [ ! -d "$DEST/.git" ]; then
    git clone -q "$REPO" "$DEST"
fi
git -C "$DEST" fetch -q "$REPO" HEAD
git -C "$DEST" checkout -q -f --detach FETCH_HEAD
git -C "$DEST" clean -q -ffdx -e /.venv -e /build/npm -e /build/slides/vendor

echo "make test on $(in_root python3 --version) at $(git -C "$DEST" rev-parse --short HEAD)"
start=$(date +%s)
status=0
in_root sh -c "cd $PROJ && make test" || status=$?
echo "make test on Python 3.13 exited $status after $(($(date +%s) - start)) s"
exit $status
