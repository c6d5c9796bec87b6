#!/bin/sh
# tests/fuzz/opts.sh TARGET: the libFuzzer options of one target, shared by make fuzz and
# the check suite. Dumps and trees are whole files (fixtures are up to ~20 KB); the others
# are single values or a page of log lines.
case $1 in
dump | model) len=24576 ;;
bundle) len=131072 ;; # a small bundle uncompressed
*) len=8192 ;;
esac
echo "-max_len=$len -timeout=25 -rss_limit_mb=2048 -malloc_limit_mb=1024"
