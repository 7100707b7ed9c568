# The DWARF unwinder (lib/unwind.c): agreement with perf on real
# `perf record --call-graph dwarf` recordings of tests/crates/dwarfwork and
# of a C program sampled inside signal handlers and a fuzz smoke test; the
# libFuzzer target is in tests/fuzz.cmake.
add_executable(unwind_perf_agree ${CMAKE_CURRENT_SOURCE_DIR}/unwind/perf_agree.c)
target_include_directories(unwind_perf_agree PRIVATE ${CMAKE_SOURCE_DIR}/lib)
target_link_libraries(unwind_perf_agree PRIVATE flamegraph)
add_test(NAME unwind-perf-agree
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unwind/perf-agree.sh
          $<TARGET_FILE:unwind_perf_agree> dwarfwork)
set_tests_properties(unwind-perf-agree PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 900)

# Samples inside a signal handler: chains through __restore_rt.  The
# workload is built without sanitizers whatever the build.
add_executable(unwind_sigwork ${CMAKE_CURRENT_SOURCE_DIR}/unwind/sigwork.c)
target_compile_options(unwind_sigwork PRIVATE -O2 -g -fno-sanitize=all)
target_link_options(unwind_sigwork PRIVATE -fno-sanitize=all)
add_test(NAME unwind-perf-agree-signal
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unwind/perf-agree.sh
          $<TARGET_FILE:unwind_perf_agree> sigwork
          $<TARGET_FILE:unwind_sigwork> 500)
set_tests_properties(unwind-perf-agree-signal PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 600)

add_executable(unwind_fuzz_smoke ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_unwind.c)
target_compile_definitions(unwind_fuzz_smoke PRIVATE FG_FUZZ_STANDALONE)
target_include_directories(unwind_fuzz_smoke PRIVATE ${CMAKE_SOURCE_DIR}/lib)
target_link_libraries(unwind_fuzz_smoke PRIVATE flamegraph)
add_test(NAME unwind-fuzz-smoke COMMAND unwind_fuzz_smoke 3000)
set_tests_properties(unwind-fuzz-smoke PROPERTIES ENVIRONMENT "${FG_TEST_ENV}")

