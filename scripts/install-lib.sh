# Shared by scripts/install-kiosk.sh and scripts/install-central.sh (sourced, not run).
# Every change goes through `act` or `put_file`: with --dry-run they print the action and do nothing.

DRY_RUN=${DRY_RUN:-0}

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "$PROG" "$*" >&2; exit 1; }

# parse_install_options DEFAULT_EXAMPLE "$@": the options both installers take. Sets ROOT,
# EXAMPLE, UNINSTALL, PURGE and DRY_RUN; --help prints the script's header comment and exits.
parse_install_options() {
  ROOT=
  EXAMPLE=$1
  UNINSTALL=0
  PURGE=0
  shift
  # The comment block after the shebang, without its '# ' (up to the first line of code).
  usage() { sed -n '2,/^[^#]/p' "$0" | sed -n 's/^# \{0,1\}//p'; }
  while [[ $# -gt 0 ]]; do
    case $1 in
      --dry-run) DRY_RUN=1 ;;
      --uninstall) UNINSTALL=1 ;;
      --purge) PURGE=1 ;;
      --config) EXAMPLE=${2:?--config needs a file}; shift ;;
      --config=*) EXAMPLE=${1#--config=} ;;
      --root) ROOT=${2:?--root needs a directory}; shift ;;
      -h|--help) usage; exit 0 ;;
      *) usage >&2; die "unknown option $1" ;;
    esac
    shift
  done
}

# remove_path PATH...: removes each file, or directory with its contents; an absent one is said, not an error.
remove_path() {
  local p
  for p in "$@"; do
    if [[ -d $p ]]; then act rm -rf "$p"
    elif [[ -e $p ]]; then act rm -f "$p"
    else say "unchanged: $p absent"; fi
  done
}

# remove_user NAME: the service user goes with --purge; with --root it is the image's to manage.
remove_user() {
  if [[ -n ${ROOT:-} ]]; then say "not managed with --root: user $1"
  elif id -u "$1" >/dev/null 2>&1; then act userdel "$1"; else say "unchanged: user $1 absent"; fi
}

# install_config KEPT_HINT CHANGE_ME_WARNING: installs $EXAMPLE as $CONFIG (root:$USER_NAME 0640 in
# $ETC), or keeps an existing $CONFIG (an operator's edits are never overwritten), and warns while
# it still has CHANGE-ME values. Sets SOURCE_CONFIG to the file installed.
install_config() {
  SOURCE_CONFIG=$EXAMPLE
  if [[ -f $CONFIG ]]; then
    say "kept: $CONFIG ($1)"
    SOURCE_CONFIG=$CONFIG
  fi
  ensure_dir "$ETC" 0750 "root:$USER_NAME"
  put_file "$CONFIG" 0640 "root:$USER_NAME" <"$SOURCE_CONFIG"
  if grep -q 'CHANGE-ME' "$SOURCE_CONFIG"; then
    say "WARNING: $CONFIG still has CHANGE-ME $2"
  fi
}

# Prints the command, then runs it unless this is a dry run.
act() {
  if [[ $DRY_RUN == 1 ]]; then
    printf 'would run: %s\n' "$*"
  else
    printf 'run: %s\n' "$*"
    # `command`: never a function of the calling script that happens to share the name.
    command "$@"
  fi
}

# put_file DEST MODE OWNER:GROUP < content. Leaves an identical file alone (idempotent).
put_file() {
  local dest=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f $dest ]] && cmp -s "$tmp" "$dest" && [[ $(stat -c '%a %U:%G' "$dest") == "${mode#0} $owner" ]]; then
    say "unchanged: $dest"
  elif [[ $DRY_RUN == 1 ]]; then
    say "would write: $dest (mode $mode, owner $owner):"
    sed 's/^/    | /' "$tmp"
  else
    say "write: $dest (mode $mode, owner $owner)"
    command install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$tmp" "$dest"
  fi
  rm -f "$tmp"
}

# ensure_dir PATH MODE OWNER:GROUP
ensure_dir() {
  local dir=$1 mode=$2 owner=$3
  if [[ -d $dir ]] && [[ $(stat -c '%a %U:%G' "$dir") == "${mode#0} $owner" ]]; then
    say "unchanged: $dir/"
  else
    act install -d -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$dir"
  fi
}

# Debian packages not yet installed, from the list given.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"
  done
}

ensure_packages() {
  local missing
  missing=$(missing_packages "$@")
  if [[ -z $missing ]]; then
    say "unchanged: packages $* installed"
  else
    act apt-get update
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    act env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
  fi
}

# ensure_system_user NAME HOME GROUP...
ensure_system_user() {
  local user=$1 home=$2 g
  shift 2
  for g in "$@"; do
    getent group "$g" >/dev/null || act groupadd --system "$g"
  done
  if id -u "$user" >/dev/null 2>&1; then
    say "unchanged: user $user exists"
  else
    act useradd --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "$user"
  fi
  for g in "$@"; do
    if id -nG "$user" 2>/dev/null | tr ' ' '\n' | grep -qx "$g"; then
      say "unchanged: $user in group $g"
    else
      act usermod -a -G "$g" "$user"
    fi
  done
}

# Node.js >= 20.19 (the project's engines); Debian 12's own nodejs is 18, so it is not installed here.
require_node() {
  local v
  v=$(node -p 'process.versions.node' 2>/dev/null) || die "Node.js 20.19 or newer is needed at /usr/bin/node (see docs/deploy.md)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===20&&b>=19)?0:1)' ||
    die "Node.js $v is too old: 20.19+ or 22.12+ is needed (see docs/deploy.md)"
  [[ -x /usr/bin/node ]] || die "the systemd units run /usr/bin/node; link it to your Node.js $v"
  say "ok: Node.js $v"
}

# Copies the built project to PREFIX (without git history, local state or tests).
install_tree() {
  local src=$1 prefix=$2
  if [[ ! -f $src/dist/agent.mjs || ! -f $src/dist/central.mjs || ! -f $src/apps/kiosk-ui/dist/index.html ]]; then
    [[ -d $src/node_modules ]] || die "run npm install in $src first"
    act npm --prefix "$src" run build
  fi
  if [[ $DRY_RUN == 1 ]]; then
    say "would copy: $src -> $prefix (without .git, var, tests, bench)"
  else
    say "copy: $src -> $prefix (without .git, var, tests, bench)"
    command install -d -m 0755 "$prefix"
    tar -C "$src" --exclude=./.git --exclude=./var --exclude=./tests --exclude=./bench -cf - . | tar -C "$prefix" --no-same-owner -xf -
    chown -R root:root "$prefix"
    chmod -R go-w "$prefix"
  fi
}

systemd_running() { [[ -d /run/systemd/system ]]; }

# Whether services and udev of this machine are ours to drive: not when installing into an image
# (--root), and in a dry run the plan shows them anyway.
live_system() { [[ -z ${ROOT:-} ]] && { systemd_running || [[ $DRY_RUN == 1 ]]; }; }
