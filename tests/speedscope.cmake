# speedscope.cmake: tests of the speedscope output (lib/speedscope.c):
#  - unit-test_speedscope (tests/unit) checks the escapes, units and
#    profiles, and leaves a file of hostile names that
#    speedscope-unit-json checks with tests/speedscope/check.py;
#  - speedscope-collapse-*: the collapse programs' --format speedscope on
#    `perf script` text of three threads (goldens) and checked-in
#    recordings: check.py against their folded and --tid folded output;
#  - speedscope-agree-*: the recordings of the perfdata fixture, native
#    and through `perf script` (skipped, 77, with the fixture);
#  - e2e-speedscope (tests/e2e/speedscope.sh): --speedscope-output of the
#    tools; browser-speedscope (tests/browser.cmake): speedscope itself
#    opens what we write.

set(FG_SS_DIR ${CMAKE_CURRENT_SOURCE_DIR}/speedscope)
set(FG_SS_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/speedscope)

set_tests_properties(unit-test_speedscope PROPERTIES
  FIXTURES_SETUP speedscope_unit)
add_test(NAME speedscope-unit-json
  COMMAND python3 ${FG_SS_DIR}/check.py
    ${CMAKE_BINARY_DIR}/speedscope/unit.json
    ${CMAKE_BINARY_DIR}/speedscope/unit.folded --unit none)
set_tests_properties(speedscope-unit-json PROPERTIES
  FIXTURES_REQUIRED speedscope_unit LABELS speedscope)

# fg_ss_test(NAME PROG INPUT ARGS...): tests/speedscope/collapse.sh
function(fg_ss_test name prog input)
  add_test(NAME speedscope-${name}
    COMMAND sh ${FG_SS_DIR}/collapse.sh $<TARGET_FILE:${prog}> ${input} ${ARGN})
  set_tests_properties(speedscope-${name} PROPERTIES
    ENVIRONMENT "${FG_TEST_ENV}" SKIP_RETURN_CODE 77 TIMEOUT 600
    LABELS speedscope)
endfunction()

fg_ss_test(collapse-threads flamegraph-collapse-perf ${FG_SS_DATA}/threads.txt
  --golden ${FG_SS_DATA}/threads.json --unit nanoseconds --min-profiles 3
  --name-has "back\\slash")
fg_ss_test(collapse-cycles flamegraph-collapse-perf ${FG_SS_DATA}/cycles.txt
  --golden ${FG_SS_DATA}/cycles.json --unit none --min-profiles 3)
fg_ss_test(collapse-static-fp flamegraph-collapse-perfdata
  ${CMAKE_CURRENT_SOURCE_DIR}/data/perfdata/fp.data --unit nanoseconds)
fg_ss_test(collapse-static-dwarf flamegraph-collapse-perfdata
  ${CMAKE_CURRENT_SOURCE_DIR}/data/perfdata/dwarf.data --unit nanoseconds)

# The perfdata fixture's recordings (tests/perfdata/record.sh): fpwork's
# threads, read natively and through perf script.
set(fg_ss_rec ${CMAKE_BINARY_DIR}/perfdata)
foreach(rec fp dwarf events)
  fg_ss_test(agree-${rec}-native flamegraph-collapse-perfdata
    ${fg_ss_rec}/${rec}.data --unit nanoseconds --min-profiles 2)
  fg_ss_test(agree-${rec}-script flamegraph-collapse-perf
    perfscript:${fg_ss_rec}/${rec}.data --unit nanoseconds --min-profiles 2)
  set_tests_properties(speedscope-agree-${rec}-native
    speedscope-agree-${rec}-script PROPERTIES FIXTURES_REQUIRED perfdata_rec)
endforeach()

# A format that is not one: a usage error naming it.
foreach(prog flamegraph-collapse-perf flamegraph-collapse-perfdata)
  add_test(NAME speedscope-bad-format-${prog}
    COMMAND sh -c "out=$(\"$0\" --format json /dev/null 2>&1); rc=$?; echo \"$out\"; test $rc -eq 1 && echo \"$out\" | grep -q -- '--format json: expected folded, speedscope or pprof'"
      $<TARGET_FILE:${prog}>)
  set_tests_properties(speedscope-bad-format-${prog} PROPERTIES
    LABELS speedscope)
endforeach()
