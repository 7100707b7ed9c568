# fuzz.cmake: the libFuzzer targets, tests/fuzz/fuzz_<name>.c (one per
# parser of untrusted input), and their inputs replayed as tests.
#  - Always: replay_<name>, the target's LLVMFuzzerTestOneInput with the
#    main() of tests/fuzz/replay.c, and the test fuzz-replay-<name>, which
#    runs it once on every input in tests/fuzz/corpus/<name>/ (the seed
#    corpus) and tests/fuzz/regress/<name>/ (crashers found before, kept).
#    In the sanitizer builds these are checked by ASan, UBSan and TSan.
#  - FG_FUZZ=ON (clang; CMakeLists.txt instruments the library with
#    coverage, ASan and UBSan): fuzz_<name>, the libFuzzer programs, and
#    the target `fuzz` that builds them all.  tests/fuzz/run.sh runs them
#    for a time budget (the fuzz pass of tests/run-all.sh).
set(FG_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
# name and the label of the module it reads for
set(FG_FUZZ_TARGETS collapse:collapse dwarfidx:dwarfidx perfdata:perfdata
    render:render toml:toml unwind:unwind)
if(FG_FUZZ)
  add_custom_target(fuzz)
endif()
foreach(pair ${FG_FUZZ_TARGETS})
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 name)
  list(GET pair 1 label)
  add_executable(replay_${name} ${FG_FUZZ_DIR}/fuzz_${name}.c ${FG_FUZZ_DIR}/replay.c)
  target_include_directories(replay_${name} PRIVATE ${CMAKE_SOURCE_DIR}/lib)
  target_link_libraries(replay_${name} PRIVATE flamegraph PkgConfig::LIBELF PkgConfig::CJSON)
  add_test(NAME fuzz-replay-${name}
    COMMAND replay_${name} ${FG_FUZZ_DIR}/corpus/${name} ${FG_FUZZ_DIR}/regress/${name})
  set_tests_properties(fuzz-replay-${name} PROPERTIES
    ENVIRONMENT "${FG_TEST_ENV}" LABELS "fuzz;${label}" TIMEOUT 600)
  if(FG_FUZZ)
    add_executable(fuzz_${name} ${FG_FUZZ_DIR}/fuzz_${name}.c)
    target_include_directories(fuzz_${name} PRIVATE ${CMAKE_SOURCE_DIR}/lib)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_${name} PRIVATE flamegraph PkgConfig::LIBELF PkgConfig::CJSON)
    add_dependencies(fuzz fuzz_${name})
  endif()
endforeach()
