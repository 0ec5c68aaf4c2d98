#!/bin/sh
# Installs a software Vulkan driver (Mesa's lavapipe) so the WebGPU backend (Dawn, from the
# `webgpu` npm package) finds an adapter on a GPU-less CI machine. Debian bookworm's Mesa 22.3 is
# too old for Dawn; bookworm-backports' Mesa works. Run as root; then run the gated tests with
#   MINIMA_TEST_WEBGPU=1 node scripts/test.mjs test/backends/webgpu
set -eu
export DEBIAN_FRONTEND=noninteractive
. /etc/os-release
if [ "${VERSION_CODENAME:-}" = bookworm ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Backports from the same Debian archive the machine already uses (first "debian" URI configured).
  uri=$( (grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'; grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}') | grep -v security | grep '/debian/*$' | head -n 1)
  [ -n "$uri" ] || { echo 'no Debian archive configured in apt sources' >&2; exit 1; }
  echo "deb $uri bookworm-backports main" > /etc/apt/sources.list.d/bookworm-backports.list
fi
apt-get update -qq
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1
else
  apt-get install -y -qq mesa-vulkan-drivers libvulkan1
fi
# Fails loudly when the driver is not visible to the Vulkan loader.
ls /usr/share/vulkan/icd.d/ | grep -q lvp || { echo 'lavapipe ICD (lvp_icd*.json) not installed' >&2; exit 1; }
echo "lavapipe installed: $(ls /usr/share/vulkan/icd.d/ | grep lvp | tr '\n' ' ')"
