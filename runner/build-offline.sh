#!/usr/bin/env bash
# Builds the MLOps runner image without any image registry: a Debian bookworm
# root file system made by debootstrap from Debian's package mirror, imported
# with `docker import`. Real deployments use runner/Dockerfile instead.
#
#   bash runner/build-offline.sh [IMAGE]      (default: rubrica/runner-mlops:1)
set -euo pipefail
image="${1:-${RUBRICA_RUNNER_IMAGE:-rubrica/runner-mlops:1}}"
# The contract every runner image keeps (README "Runner image"): a POSIX shell,
# git, python3 with pip, setuptools, pytest and pytest-cov. The rest are the
# MLOps course's own tools.
contract=python3,python3-pip,python3-setuptools,python3-wheel,git,python3-pytest,python3-pytest-cov
# uvicorn serves a student's API for the http check; prometheus-client is the
# metrics library the deployment weeks teach; mypy judges "typing passes".
course=python3-yaml,python3-pydantic,python3-pandas,python3-sklearn,python3-joblib,python3-fastapi,python3-httpx,python3-uvicorn,python3-prometheus-client,mypy

# The image is stamped with its package list: an image built from an older list
# (one without mypy or uvicorn) is rebuilt instead of kept.
packages="$contract,$course"
stamp="$(printf '%s' "$packages" | sha256sum | cut -c1-16)"
if [ -z "${REBUILD:-}" ] && [ "$(docker image inspect -f '{{ index .Config.Labels "dev.rubrica.runner.packages" }}' "$image" 2>/dev/null)" = "$stamp" ]; then
  echo "runner image $image already present and current (REBUILD=1 to rebuild)"
  exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

root="$(mktemp -d /tmp/rubrica-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
echo "debootstrap bookworm into $root ${mirror:+from $mirror}"
debootstrap --variant=minbase --include="$packages" bookworm "$root" ${mirror:+"$mirror"} >"$root.log" 2>&1 \
  || { tail -n 30 "$root.log"; exit 1; }
rm -f "$root.log"
# The sandbox runs checks as uid 1000; give it a name so git and Python are happy.
chroot "$root" /usr/sbin/groupadd -g 1000 runner
chroot "$root" /usr/sbin/useradd -u 1000 -g 1000 -M -d /work/home -s /bin/sh runner
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | docker import \
  -c 'ENV LANG=C.UTF-8' \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'USER 1000:1000' \
  -c 'WORKDIR /work' \
  -c 'CMD ["/bin/sh"]' \
  -c "LABEL dev.rubrica.runner.packages=$stamp" \
  - "$image" >/dev/null
echo "built runner image $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
