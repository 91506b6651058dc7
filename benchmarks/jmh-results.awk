# Turns JMH's CSV (-rf csv, with -prof gc) into run.sh's result lines, one per metric, in a fixed order:
#   result metric=NAME ns_per_op=X alloc_bytes_per_op=Y
# followed by a '# NAME: JMH error' comment when JMH gave one. Fails (exit status 1, a message on stderr for each) when
# a metric has no time or no gc.alloc.rate.norm row, or more than one (for example several values of a parameter):
# a benchmark that failed in JMH must not leave a shorter list that looks complete.
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"[,"Param: dest"]
BEGIN {
  FS = ","
  k = split("close_client_initial close_1rtt stateless_close conn_loop conn_loop_full handler_close", want, " ")
  bad = 0
}
function metric(b) {
  sub(/.*\./, "", b)
  if (b == "closeClientInitial") return "close_client_initial"
  if (b == "close1Rtt") return "close_1rtt"
  if (b == "statelessClose") return "stateless_close"
  if (b == "connLoop") return "conn_loop"
  if (b == "connLoopFull") return "conn_loop_full"
  if (b == "handlerClose") return "handler_close"
  return b
}
function twice(m, what) {
  printf "jmh-results: more than one %s result for %s\n", what, m > "/dev/stderr"
  bad = 1
}
NR > 1 {
  gsub(/"/, "")
  name = $1
  if (name ~ /:gc\.alloc\.rate\.norm$/) {
    sub(/:gc\.alloc\.rate\.norm$/, "", name)
    m = metric(name)
    if (m in alloc) twice(m, "allocation")
    alloc[m] = $5
  } else if (name !~ /:/) {
    m = metric(name)
    if (m in ns) twice(m, "time")
    ns[m] = $5
    err[m] = $6
  }
}
END {
  for (i = 1; i <= k; i++) {
    m = want[i]
    if (!(m in ns) || ns[m] !~ /^[0-9]/) {
      printf "jmh-results: no time for metric %s (did its benchmark fail?)\n", m > "/dev/stderr"
      bad = 1
      continue
    }
    if (!(m in alloc) || alloc[m] !~ /^[0-9]/) {
      printf "jmh-results: no gc.alloc.rate.norm for metric %s (was -prof gc given?)\n", m > "/dev/stderr"
      bad = 1
      continue
    }
    printf "result metric=%s ns_per_op=%.1f alloc_bytes_per_op=%.0f\n", m, ns[m], alloc[m]
    if (err[m] != "NaN" && err[m] != "nan") printf "# %s: JMH error (99.9%%) +- %.1f ns\n", m, err[m]
  }
  exit bad
}
