#!/bin/sh
# The executor pod's first process: runs the execution's program (its arguments) and reports
# what it did. POSIX sh plus head, wc and base64, so any runtime image with a shell will do.
#
# The program's stdout and stderr go to files on the pod's output volume, never to the log.
# When the program ends, or the pod is stopped at its deadline, this script writes
# - to the container log, one frame per stream: a line `@@execution-queue <stream> <bytes written>`,
#   the first EQ_OUTPUT_LIMIT bytes of the stream in base64, and a line `@@execution-queue end`;
# - to the termination message, `key=value` lines: exit_code, wall_nanoseconds,
#   cpu_nanoseconds, peak_memory_bytes, oom_kills, clk_tck, stopped (1 when cut short).
# The worker reads both back (pod-result.ts); docs/design.md, "The pod contract", has the whole.
limit="${EQ_OUTPUT_LIMIT:-1048576}"
output="${EQ_OUTPUT_DIR:-/output}"
marker='@@execution-queue'
stopped=0

# A clock in nanoseconds: date's when it has %N (GNU), else /proc/uptime's hundredths.
now_nanoseconds() {
  now="$(date +%s%N 2> /dev/null)"
  case "$now" in
    '' | *[!0-9]*)
      read -r up _ < /proc/uptime
      echo $(( (${up%.*} * 100 + 1${up#*.} - 100) * 10000000 )) ;;
    *) echo "$now" ;;
  esac
}

# The first line of the first readable file among the arguments whose line starts with $1.
first_value() {
  key="$1"; shift
  for file in "$@"; do
    [ -r "$file" ] || continue
    while read -r name value; do
      if [ -z "$key" ]; then echo "$name"; return; fi
      if [ "$name" = "$key" ]; then echo "$value"; return; fi
    done < "$file"
  done
  echo 0
}

# The container's own CPU time, peak memory and OOM kills, from its cgroup (v2 first, then v1).
cpu_nanoseconds() {
  usec="$(first_value usage_usec /sys/fs/cgroup/cpu.stat)"
  if [ "$usec" != 0 ]; then echo $(( usec * 1000 )); return; fi
  first_value '' /sys/fs/cgroup/cpuacct/cpuacct.usage /sys/fs/cgroup/cpu,cpuacct/cpuacct.usage
}
peak_memory_bytes() {
  first_value '' /sys/fs/cgroup/memory.peak /sys/fs/cgroup/memory/memory.max_usage_in_bytes
}
oom_kills() {
  first_value oom_kill /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control
}

frame() {
  written=$(( $(wc -c < "$2" 2> /dev/null || echo 0) ))
  echo "$marker $1 $written"
  head -c "$limit" "$2" 2> /dev/null | base64
  echo "$marker end"
}

# Ends every other process of the container. Only as its PID 1: there kill -1 reaches exactly
# the program and what it started; anywhere else it would reach far more.
end_the_rest() {
  [ "$$" = 1 ] && kill -9 -1 2> /dev/null
}

# The pod's deadline (or a deletion) stops this process with SIGTERM: end the program, then
# report as usual.
stop_program() {
  stopped=1
  end_the_rest
}
trap stop_program TERM INT

started="$(now_nanoseconds)"
"$@" > "$output/stdout" 2> "$output/stderr" < /dev/null &
program=$!
wait "$program"
status=$?
# A trapped signal interrupts wait before the program is gone: wait again for its real status.
while kill -0 "$program" 2> /dev/null; do
  wait "$program"
  status=$?
done
ended="$(now_nanoseconds)"
# Whatever the program left running must not outlive it (nor write after the frames).
end_the_rest

frame stdout "$output/stdout"
frame stderr "$output/stderr"
clk_tck="$(getconf CLK_TCK 2> /dev/null || echo 100)"
{
  echo "exit_code=$status"
  echo "wall_nanoseconds=$(( ended - started ))"
  echo "cpu_nanoseconds=$(cpu_nanoseconds)"
  echo "peak_memory_bytes=$(peak_memory_bytes)"
  echo "oom_kills=$(oom_kills)"
  echo "clk_tck=$clk_tck"
  echo "stopped=$stopped"
} > /dev/termination-log 2> /dev/null
exit "$status"
