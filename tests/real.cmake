# real.cmake: real programs nobody here wrote, profiled as a user does
# (tests/real/real-crate.sh): examples of crates that Debian packages as
# source (librust-*-dev), built offline against /usr/share/cargo/registry,
# recorded by `cargo flamegraph` with the default settings and redrawn with
# --perf-script; the two must agree, and folded functions must carry
# addr2line's names.  They record with perf, so they run alone; a cold
# build of the crate takes a minute or two on two cores.

find_program(FG_CARGO cargo)
find_program(FG_PERF perf)
set(FG_REAL_CASES simplegrep regexdna)
foreach(case ${FG_REAL_CASES})
  if(FG_CARGO AND FG_PERF)
    add_test(NAME real-${case}
      COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/real-crate.sh ${case})
    set_tests_properties(real-${case} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV};FG_CARGO_FLAMEGRAPH=$<TARGET_FILE:cargo-flamegraph>;FG_FLAMEGRAPH=$<TARGET_FILE:flamegraph-cli>;FG_E2E_WORK=${CMAKE_BINARY_DIR}/e2e"
      LABELS "real;e2e" SKIP_RETURN_CODE 77 TIMEOUT 900 RUN_SERIAL TRUE)
  else()
    add_test(NAME real-${case}
      COMMAND sh -c "echo 'skipped: cargo or perf not installed'; exit 77")
    set_tests_properties(real-${case} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()
