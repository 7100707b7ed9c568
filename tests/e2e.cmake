# e2e.cmake: end-to-end tests of cargo-flamegraph and flamegraph with the
# real cargo and the real perf (tests/e2e/*.sh on the crates in
# tests/crates/, copied into the build directory so that nothing is
# written into the source tree; Cargo's target directories are in the
# build directory too).  Every test asserts on frame names and weights in
# the SVG (svg-frames) or the folded output.
#
# The cases are the scripts present: every tests/e2e/*.sh but lib.sh (the
# helpers they source) is the test e2e-<name>.  A script declares what it
# needs in its opening comment, read here:
#   # requires: cargo perf      programs that must be installed, else the
#                               test reports "skipped" (exit 77)
#   # labels: e2e threads       its CTest labels ("threads": the cases
#                               whose processing runs threads beside the
#                               main one, which ThreadSanitizer runs too)
# A script without a "# labels:" line gets the label e2e.

set(FG_E2E_DIR ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
file(GLOB FG_E2E_SCRIPTS CONFIGURE_DEPENDS ${FG_E2E_DIR}/*.sh)
list(REMOVE_ITEM FG_E2E_SCRIPTS ${FG_E2E_DIR}/lib.sh)
list(SORT FG_E2E_SCRIPTS)

# fg_script_decl(FILE KEY VAR): the words of FILE's "# KEY: ..." line.
function(fg_script_decl file key var)
  file(STRINGS ${file} lines REGEX "^# ${key}:")
  set(words "")
  foreach(line ${lines})
    string(REGEX REPLACE "^# ${key}:[ \t]*" "" line "${line}")
    separate_arguments(w UNIX_COMMAND "${line}")
    list(APPEND words ${w})
  endforeach()
  set(${var} "${words}" PARENT_SCOPE)
endfunction()

foreach(script ${FG_E2E_SCRIPTS})
  get_filename_component(case ${script} NAME_WE)
  fg_script_decl(${script} requires reqs)
  fg_script_decl(${script} labels labels)
  if(NOT labels)
    set(labels e2e)
  endif()
  set(missing "")
  foreach(req ${reqs})
    string(TOUPPER "FG_REQ_${req}" v)
    find_program(${v} ${req})
    if(NOT ${v})
      list(APPEND missing ${req})
    endif()
  endforeach()
  if(missing)
    string(REPLACE ";" " or " missing "${missing}")
    add_test(NAME e2e-${case}
      COMMAND sh -c "echo 'skipped: ${missing} not installed'; exit 77")
    set_tests_properties(e2e-${case} PROPERTIES SKIP_RETURN_CODE 77)
    continue()
  endif()
  add_test(NAME e2e-${case} COMMAND sh ${script})
  set_tests_properties(e2e-${case} PROPERTIES
    ENVIRONMENT "${FG_TEST_ENV};FG_CARGO_FLAMEGRAPH=$<TARGET_FILE:cargo-flamegraph>;FG_FLAMEGRAPH=$<TARGET_FILE:flamegraph-cli>;FG_E2E_WORK=${CMAKE_BINARY_DIR}/e2e"
    LABELS "${labels}" SKIP_RETURN_CODE 77 TIMEOUT 600)
endforeach()
