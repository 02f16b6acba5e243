#!/usr/bin/env bash
# Run a command while the machine is kept busy: two CPU burners and a disk writer, started
# before it and stopped after it (however it ends), so timing-dependent tests show up.
#
#   tools/busy_machine.sh run make test
#   tools/busy_machine.sh run .venv/bin/pytest -q tests/test_kill.py
#
# Exits with the command's status. Each load runs in a process group of its own, which is
# ended by its id; the disk writer's file lives in a temporary folder removed at the end.
set -u

if [ "$#" -lt 2 ] || [ "$1" != run ]; then
  echo "usage: $0 run COMMAND [ARGS...]" >&2
  exit 2
fi
shift

scratch=$(mktemp -d "${TMPDIR:-/tmp}/busy-machine.XXXXXX")
groups=()

stop_load() {
  for group in "${groups[@]}"; do
    kill -TERM -- "-$group" 2>/dev/null
  done
  for group in "${groups[@]}"; do
    while kill -0 -- "-$group" 2>/dev/null; do
      wait "$group" 2>/dev/null || sleep 0.1
    done
  done
  rm -rf "$scratch"
}
trap stop_load EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# setsid: each load leads a process group, so stopping it ends the shell and whatever it runs.
for _ in 1 2; do
  setsid bash -c 'while :; do :; done' &
  groups+=("$!")
done
setsid bash -c '
  while :; do
    dd if=/dev/zero of="$1/disk.bin" bs=1M count=256 conv=fsync status=none
    rm -f "$1/disk.bin"
  done' busy-disk "$scratch" &
groups+=("$!")

echo "busy_machine: 2 CPU burners and a disk writer running (process groups ${groups[*]})" >&2
"$@"
status=$?
echo "busy_machine: $* exited $status" >&2
exit "$status"
