#!/usr/bin/env bash
# Builds the container image with podman and runs it for real: one command,
# safe to run again (the base image and podman's layer cache are reused).
#
#   bash scripts/container.sh
#
# 1. podman, buildah, runc, debootstrap from apt if missing (needs root);
# 2. a local Debian base (debootstrap minbase bookworm + ca-certificates from
#    this machine's Debian mirror, `podman import`): no image registry can be
#    reached here;
# 3. the image from the Dockerfile on that base, with a local CPU torch wheel
#    if pip can see one (else PyTorch's CPU index);
# 4. scripts/container_check.py: the image against tests/fake_slack.py's fake
#    Slack on the host (host network): /healthz 200, one signed app_mention
#    answered in its thread, SIGTERM and exit code 0;
# 5. build time, image size and start-up time.
#
# Needs the repo's .venv (scripts/setup.sh) for the check. Any failure: exit 1
# and a last line "container: FAILED: <reason>".
#
# Settings (environment): CHSM_IMAGE (default localhost/chsm-bot:local),
# CHSM_BASE (default localhost/debian-bookworm-minbase:local; an existing
# image such as docker.io/library/python:3.11-slim is used as it is),
# CHSM_TORCH_WHEEL (a CPU torch wheel for Python 3.11 to build with).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${CHSM_IMAGE:-localhost/chsm-bot:local}
BASE=${CHSM_BASE:-localhost/debian-bookworm-minbase:local}
SUITE=bookworm
# runc and explicit ulimits: the default crun cannot set RLIMIT_NOFILE here
# (the README's "Container" section).
PODMAN=(podman --runtime runc)
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
CA=/etc/ssl/certs/ca-certificates.crt

say() { printf 'container: %s\n' "$*"; }
die() { printf 'container: FAILED: %s\n' "$*" >&2; exit 1; }
T0=$SECONDS

# -- 1. tools ----------------------------------------------------------------
missing=()
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}; run as root to install them with apt-get"
  say "installing ${missing[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >/tmp/chsm-container-apt.log 2>&1 ||
    die "apt-get install ${missing[*]} failed (log: /tmp/chsm-container-apt.log)"
fi
[ -x .venv/bin/python ] || die ".venv is missing: run scripts/setup.sh first"

# -- 2. the base image ----------------------------------------------------------
mirror() {  # the Debian mirror this machine's apt sources name for $SUITE
  local m
  m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk -v s="$SUITE" '$1 == "deb" && $0 !~ /security/ { for (i = 2; i < NF; i++) if ($(i + 1) == s && $i !~ /^\[/) { print $i; exit } }')
  if [ -z "$m" ]; then
    m=$(awk -v s="$SUITE" '
          /^[[:space:]]*$/ { if (u != "" && ok) { print u; exit } u = ""; ok = 0; next }
          $1 == "URIs:" && $2 !~ /security/ { u = $2 }
          $1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
          END { if (u != "" && ok) print u }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}
base_seconds=reused
if podman image exists "$BASE"; then
  say "base $BASE: present, reused"
elif [ "$BASE" != "${BASE#localhost/}" ]; then
  [ "$(id -u)" = 0 ] || die "making the base image needs root (debootstrap)"
  t=$SECONDS
  url=$(mirror)
  say "base $BASE: debootstrap --variant=minbase $SUITE from $url"
  work=$(mktemp -d /var/tmp/chsm-base.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  # ca-certificates now, not in the build: there its postinst would have to
  # replace the CA bundle that the build mounts read-only from the host.
  debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$work/rootfs" "$url" >"$work/debootstrap.log" 2>&1 || {
    cp "$work/debootstrap.log" /tmp/chsm-debootstrap.log
    die "debootstrap failed (log: /tmp/chsm-debootstrap.log)"
  }
  # Slimmed as Debian's -slim images are: no docs, man pages or translations,
  # now or from later apt installs (copyright files stay).
  r=$work/rootfs
  mkdir -p "$r/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-exclude /usr/share/groff/*' 'path-exclude /usr/share/lintian/*' >"$r/etc/dpkg/dpkg.cfg.d/slim"
  find "$r/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
  rm -rf "$r/usr/share/man/"* "$r/usr/share/info/"* "$r/usr/share/locale/"* "$r/usr/share/groff/"* "$r/usr/share/lintian/"*
  rm -rf "$r/var/cache/apt/archives/"*.deb "$r/var/cache/apt/"*.bin "$r/var/lib/apt/lists/"* "$r/var/log/"*.log "$r/var/log/apt/"*
  tar -C "$work/rootfs" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$BASE" >/dev/null ||
    die "podman import of the base failed"
  rm -rf "$work"
  trap - EXIT
  base_seconds=$((SECONDS - t))
  say "base $BASE: made in ${base_seconds}s"
else
  "${PODMAN[@]}" pull "$BASE" >/dev/null || die "cannot pull the base image $BASE"
fi

# -- 3. the image ------------------------------------------------------------------
# A CPU torch wheel for Python 3.11 that pip can see here (find-links), hard
# linked into wheels/ for the build and removed after it.
find_wheel() {
  local dirs d w
  dirs=$(
    .venv/bin/python -m pip config list 2>/dev/null | sed -n "s/^[^=]*find-links='\(.*\)'$/\1/p"
    printf '%s\n' "${PIP_FIND_LINKS:-}" /opt/wheels
  )
  for d in $dirs; do
    d=${d#file://}
    for w in "$d"/torch-*+cpu-cp311-cp311-*linux*_x86_64.whl; do
      [ -f "$w" ] && { echo "$w"; return; }
    done
  done
}
wheel=${CHSM_TORCH_WHEEL:-$(find_wheel)}
build_args=(--build-arg "BASE=$BASE")
made_wheels=''
cleanup_wheels() { [ -z "$made_wheels" ] || rm -rf wheels; }
trap cleanup_wheels EXIT
if [ -n "$wheel" ]; then
  [ -f "$wheel" ] || die "CHSM_TORCH_WHEEL=$wheel is not a file"
  if [ ! -d wheels ]; then mkdir wheels; made_wheels=1; fi
  ln -f "$wheel" wheels/ 2>/dev/null || cp -f "$wheel" wheels/
  version=$(basename "$wheel" | cut -d- -f2)
  build_args+=(--build-arg "TORCH=torch==$version")
  say "torch: $(basename "$wheel") from the build context"
else
  say "torch: no local CPU wheel; from PyTorch's CPU index"
fi
# Pip inside the build trusts what the host trusts (TLS to the registry may be
# intercepted). The docker format keeps the HEALTHCHECK.
volumes=()
[ -f "$CA" ] && volumes=(-v "$CA:$CA:ro")
say "building $IMAGE"
t=$SECONDS
"${PODMAN[@]}" build --format docker "${ULIMITS[@]}" "${volumes[@]}" "${build_args[@]}" \
  -t "$IMAGE" -f Dockerfile . >/tmp/chsm-container-build.log 2>&1 || {
  tail -n 30 /tmp/chsm-container-build.log >&2
  die "podman build failed (log: /tmp/chsm-container-build.log)"
}
build_seconds=$((SECONDS - t))
cleanup_wheels
trap - EXIT
say "built $IMAGE in ${build_seconds}s"

# -- 4. run it against a fake Slack --------------------------------------------------
figures=$(mktemp)
trap 'rm -f "$figures"' EXIT
.venv/bin/python scripts/container_check.py --image "$IMAGE" --runtime runc --figures "$figures" ||
  exit 1
startup=$(.venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))["startup_seconds"])' "$figures")

# -- 5. figures -------------------------------------------------------------------------
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
[ "$base_seconds" = reused ] || base_seconds=${base_seconds}s
say "passed: image $((size / 1000000)) MB; start-up to /healthz 200: ${startup}s; build: ${build_seconds}s; base: $base_seconds; all: $((SECONDS - T0))s"
