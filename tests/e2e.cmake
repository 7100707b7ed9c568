# e2e.cmake: end-to-end tests of cargo-flamegraph and flamegraph with the
# real cargo and the real perf (tests/e2e/*.sh on the crates in
# tests/crates/, copied into the build directory so that nothing is
# written into the source tree; Cargo's target directories are in the
# build directory too).  Every test asserts on frame names and weights in
# the SVG (svg-frames) or the folded output.

find_program(FG_CARGO cargo)
find_program(FG_PERF perf)
set(FG_E2E_DIR ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
set(FG_E2E_CASES single workspace-root workspace-member workspace-targets
    ambiguous stripped panic exit-status interrupt pid perfdata
    flamegraph-cmd post-process bad-usage metadata cargo-fails
    call-graph-fp native-agree source-choice unit-bench open orphan)
foreach(case ${FG_E2E_CASES})
  if(FG_CARGO AND FG_PERF)
    add_test(NAME e2e-${case}
      COMMAND sh ${FG_E2E_DIR}/${case}.sh)
    set_tests_properties(e2e-${case} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV};FG_CARGO_FLAMEGRAPH=$<TARGET_FILE:cargo-flamegraph>;FG_FLAMEGRAPH=$<TARGET_FILE:flamegraph-cli>;FG_E2E_WORK=${CMAKE_BINARY_DIR}/e2e"
      LABELS "e2e" SKIP_RETURN_CODE 77 TIMEOUT 600)
    # The cases whose processing runs threads beside the main one (the
    # --post-process feeder, both readers): ThreadSanitizer runs them too.
    if(case MATCHES "^(native-agree|post-process|perfdata|interrupt)$")
      set_tests_properties(e2e-${case} PROPERTIES LABELS "e2e;threads")
    endif()
  else()
    add_test(NAME e2e-${case}
      COMMAND sh -c "echo 'skipped: cargo or perf not installed'; exit 77")
    set_tests_properties(e2e-${case} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()
