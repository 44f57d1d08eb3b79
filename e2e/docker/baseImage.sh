# Sourced by composeTest. Makes the base image the Dockerfile names (node:20-bookworm-slim) without a
# container registry: nothing can be pulled here, so a Debian bookworm root file system is made with
# debootstrap and this machine's node + npm are copied in where the official image has them
# (/usr/local/bin, /usr/local/lib/node_modules/npm), with the `node` user (uid 1000) it also has.
# The tarball is cached per node and npm version, so only the first run pays for debootstrap (~30 s).

BASE_IMAGE_NAME="${BASE_IMAGE_NAME:-node:20-bookworm-slim}"
BASE_IMAGE_CACHE="${BASE_IMAGE_CACHE:-/var/cache/peercompute-docker-base}"

# The Debian mirror apt uses on this machine (deb822 or one-line sources), else deb.debian.org.
debian_mirror() {
  local uri
  uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1)
  if [ -z "$uri" ]; then
    uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v security | head -n1)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Prints the path of the cached base tarball, making it first when absent.
base_image_tarball() {
  local node_bin npm_dir node_version npm_version tarball rootfs
  node_bin=$(readlink -f "$(command -v node)")
  npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  node_version=$("$node_bin" --version)
  npm_version=$("$node_bin" "$npm_dir/bin/npm-cli.js" --version 2>/dev/null)
  tarball="$BASE_IMAGE_CACHE/bookworm-node-${node_version}-npm-${npm_version}.tar"
  if [ -s "$tarball" ]; then echo "$tarball"; return 0; fi

  mkdir -p "$BASE_IMAGE_CACHE"
  rootfs=$(mktemp -d "$BASE_IMAGE_CACHE/rootfs.XXXXXX")
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$rootfs.log" 2>&1; then
    tail -n 20 "$rootfs.log" >&2
    rm -rf "$rootfs" "$rootfs.log"
    return 1
  fi
  rm -f "$rootfs.log"
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$rootfs"
  [ -s "$tarball" ] && echo "$tarball"
}

# Imports the base image into the engine at $DOCKER_HOST under the name the Dockerfile uses.
load_base_image() {
  local tarball
  tarball=$(base_image_tarball) || return 1
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' \
    "$tarball" "$BASE_IMAGE_NAME" >/dev/null
}
