# The DWARF reader behind inline chains (lib/dwarfidx.c): the unit test
# (tests/unit/test_dwarfidx.c, by the glob) compares with addr2line on
# cc-built programs and damages their sections; here a fuzz smoke test
# over mutated synthetic units; the libFuzzer target is in tests/fuzz.cmake.
add_executable(dwarfidx_fuzz_smoke ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_dwarfidx.c)
target_compile_definitions(dwarfidx_fuzz_smoke PRIVATE FG_FUZZ_STANDALONE)
target_include_directories(dwarfidx_fuzz_smoke PRIVATE ${CMAKE_SOURCE_DIR}/lib)
target_link_libraries(dwarfidx_fuzz_smoke PRIVATE flamegraph PkgConfig::LIBELF)
add_test(NAME dwarfidx-fuzz-smoke COMMAND dwarfidx_fuzz_smoke 20000)
set_tests_properties(dwarfidx-fuzz-smoke PROPERTIES ENVIRONMENT "${FG_TEST_ENV}")

