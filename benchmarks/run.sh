#!/usr/bin/env bash
# Runs the quicj benchmarks and prints one line per metric:
#   result metric=NAME ns_per_op=X alloc_bytes_per_op=Y        (JMH average time, -prof gc gc.alloc.rate.norm)
#   result metric=reject_throughput conn_per_s=X echo_dgram_per_s=Y ratio=Z
#   reference metric=NAME ngtcp2_metric=M ns_per_op=X           (with --ngtcp2, or NGTCP2_BENCH naming the binary)
# Lines starting with '#' are details (JDK, machine, per-run figures).
# Exits non-zero when JMH fails or any of the six JMH metrics has no time or allocation figure.
#
# Usage: benchmarks/run.sh [--smoke] [--jdk PATH] [--no-build] [--forks N] [--no-throughput] [--throughput-only]
#                          [--jca] [--ngtcp2] [--server-loops N]
#   --smoke          one short iteration of every benchmark and a 2 s load test (what CI runs)
#   --jdk PATH       run with the JDK at PATH (for example /usr/lib/jvm/temurin-25-jdk-amd64); default: java on PATH
#   --no-build       use benchmarks/target/benchmarks.jar as it is
#   --forks N        JMH forks per benchmark (default 1; figures are then the mean over the forks)
#   --no-throughput / --throughput-only   skip or run only the loopback reject-throughput test
#   --ngtcp2         build the libngtcp2 reference (benchmarks/ngtcp2/build.sh; installs Debian's -dev packages) and
#                    run it after JMH, as NGTCP2_BENCH does
#   --server-loops N the load test's reject and echo servers with N event loops each (SO_REUSEPORT, epoll), fed
#                    from 16 client sockets with 256 datagrams in flight; default one loop, one socket, 64
#   --jca            without --add-opens: quic-core falls back to the public JCA AES-GCM cipher (allocates) and
#                    MessageDigest SHA-256
# Environment:
#   NGTCP2_BENCH     path of an ngtcp2-close-bench binary already built (benchmarks/ngtcp2/); skipped when unset
#   MAVEN_ARGS       extra arguments for the build (for example -o)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
smoke=0 build=1 forks=1 jmh=1 throughput=1 jdk="" jca=0 ngtcp2=0 server_loops=1
usage_error() { echo "run.sh: $1 (see --help)" >&2; exit 2; }
positive() {  # option value: the value if it is a positive integer, else a usage error
  [[ ${2:-} =~ ^[1-9][0-9]{0,5}$ ]] || usage_error "$1 needs a positive integer, not '${2:-}'"
  echo "$2"
}
while (($#)); do
  case "$1" in
    --smoke) smoke=1 ;;
    --jdk) [[ $# -ge 2 ]] || usage_error "--jdk needs a path"; jdk=$2; shift ;;
    --no-build) build=0 ;;
    --forks) forks=$(positive --forks "${2:-}") || exit 2; shift ;;
    --no-throughput) throughput=0 ;;
    --throughput-only) jmh=0 ;;
    --jca) jca=1 ;;
    --ngtcp2) ngtcp2=1 ;;
    --server-loops) server_loops=$(positive --server-loops "${2:-}") || exit 2; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

java=java
if [[ -n $jdk ]]; then
  java=$jdk/bin/java
  [[ -x $java ]] || { echo "run.sh: no $java" >&2; exit 2; }
fi
jar=$here/target/benchmarks.jar
if ((build)); then
  # shellcheck disable=SC2086  # MAVEN_ARGS is a list of words
  (cd "$root" && mvn -B -q ${MAVEN_ARGS:-} -pl benchmarks -am package -DskipTests)
fi
[[ -f $jar ]] || { echo "run.sh: $jar missing (run without --no-build)" >&2; exit 2; }

# quic-core's zero-allocation AES-GCM drives the JDK's GHASH and AES-CTR directly, and its key derivation the SHA-256
# compression function, when java.base opens them. The
# JMH forks get the flag from the benchmarks' @Fork(jvmArgsAppend); --jca replaces those arguments to leave it out.
opens=(--add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED --add-opens java.base/sun.security.provider=ALL-UNNAMED)
fork_args=()
if ((jca)); then
  opens=()
  fork_args=(-jvmArgsAppend "-Dio.netty.leakDetection.level=disabled -Djmh.executor=CUSTOM -Djmh.executor.class=dev.quicj.bench.EventLoopThreadExecutor")
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "# jdk: $("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.name|java.runtime.version/ {printf "%s ", $2}')"
echo "# cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

if ((jmh)); then
  if ((smoke)); then
    timing=(-wi 1 -w 200ms -i 1 -r 300ms -f 1)
  else
    timing=(-wi 5 -w 1s -i 5 -r 1s -f "$forks")
  fi
  # the CSV is parsed with a point as the decimal separator: the runner JVM writes it in its locale
  LC_ALL=C "$java" -Duser.language=en -Duser.country=US -jar "$jar" "${timing[@]}" -jvm "$java" "${fork_args[@]}" \
    -prof gc -p dest=heap -foe true \
    -rf csv -rff "$work/jmh.csv" \
    'dev\.quicj\.core\.conn\.CloseBenchmarks\.(closeClientInitial|close1Rtt|connLoop|connLoopFull)$' \
    'dev\.quicj\.bench\.StatelessCloseBenchmark\.statelessClose$' \
    'dev\.quicj\.core\.conn\.HandlerCloseBenchmark\.handlerClose$' >"$work/jmh.log" 2>&1 || {
      cat "$work/jmh.log" >&2; echo "run.sh: JMH failed" >&2; exit 1; }
  grep -E '^# (VM version|VM invoker|VM options)' "$work/jmh.log" | sort -u | sed 's/^# /# jmh /'
  # one line per metric; jmh-results.awk fails, and so does this script, when a metric has no time or allocation
  awk -f "$here/jmh-results.awk" "$work/jmh.csv" | tee "$work/results.txt"
fi

if ((ngtcp2)) && [[ -z ${NGTCP2_BENCH:-} ]]; then
  NGTCP2_BENCH=$(NGTCP2_BENCH_BIN="$work/ngtcp2-close-bench" bash "$here/ngtcp2/build.sh" | tail -1)
fi
if [[ -n ${NGTCP2_BENCH:-} ]]; then
  if [[ -x $NGTCP2_BENCH ]]; then
    if ((smoke)); then ref_args=(--iters 20000 --warmup 2000 --rounds 1); else ref_args=(--iters 200000 --warmup 20000 --rounds 3); fi
    echo "# ngtcp2 reference: $NGTCP2_BENCH ${ref_args[*]}"
    "$NGTCP2_BENCH" "${ref_args[@]}" >"$work/ngtcp2.txt"
    sed -n 's/^# \(libngtcp2.*\)/# ngtcp2 \1/p' "$work/ngtcp2.txt"
    awk '
      /^result/ {
        m = ""; v = ""
        for (i = 1; i <= NF; i++) {
          split($i, kv, "=")
          if (kv[1] == "metric") m = kv[2]
          if (kv[1] == "ns_per_op_median" || kv[1] == "ns_per_op") v = kv[2]
        }
        if (m == "phase_close") ours = "close_client_initial"
        else if (m == "stateless_cc") ours = "stateless_close"
        else if (m == "equiv_loop") ours = "conn_loop"
        else if (m == "loop_full") ours = "conn_loop_full"
        else ours = ""
        if (ours != "") printf "reference metric=%s ngtcp2_metric=%s ns_per_op=%s\n", ours, m, v
        else printf "# ngtcp2 %s ns_per_op=%s\n", m, v
      }' "$work/ngtcp2.txt" | tee "$work/reference.txt"
    if [[ -s $work/results.txt ]]; then
      awk '
        function val(line, key,   i, kv) { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) return kv[2] } }
        FNR == NR && /^result/ { m = val($0, "metric"); ours[m] = val($0, "ns_per_op"); next }
        /^reference/ { m = val($0, "metric"); if (m in ours) printf "# ratio metric=%s ours/ngtcp2=%.2f\n", m, ours[m] / val($0, "ns_per_op") }
      ' "$work/results.txt" "$work/reference.txt"
    fi
  else
    echo "# NGTCP2_BENCH=$NGTCP2_BENCH is not executable: reference skipped"
  fi
else
  echo "# NGTCP2_BENCH not set: ngtcp2 reference skipped"
fi

if ((throughput)); then
  if ((smoke)); then
    load=(--seconds 2 --warmup-seconds 0.5 --pool 200000 --mode all)
  else
    load=(--seconds 5 --warmup-seconds 5 --rounds 3 --pool 1000000 --mode all)
  fi
  if ((server_loops > 1)); then
    load+=(--server-loops "$server_loops" --sockets 16 --window 256)
  fi
  LC_ALL=C "$java" "${opens[@]}" -Duser.language=en -Duser.country=US -Dio.netty.leakDetection.level=disabled \
    -cp "$jar" \
    dev.quicj.bench.load.RejectThroughput "${load[@]}"
fi
