# pprof.cmake: the pprof output of the collapse programs (--format pprof)
# read back by `go tool pprof` (tests/pprof/collapse.sh; skipped without
# Go).  The unit test is tests/unit/test_pprof.c, the end-to-end test of
# --pprof-output tests/e2e/pprof.sh.
add_test(NAME pprof-collapse COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/pprof/collapse.sh)
set_tests_properties(pprof-collapse PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV};CPD=$<TARGET_FILE:flamegraph-collapse-perfdata>;CP=$<TARGET_FILE:flamegraph-collapse-perf>;WORK=${CMAKE_BINARY_DIR}/pprof-collapse"
  SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS pprof)
