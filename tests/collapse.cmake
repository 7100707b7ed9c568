# collapse.cmake: tests of the perf-script collapser (lib/pscript.c) and
# flamegraph-collapse-perf.
#  - collapse-perf-<case>: every case of the conformance corpus
#    collapse-perf/cases.tsv, output compared byte for byte with inferno's;
#    plain inputs are passed as a path (mapped), gzip inputs are
#    decompressed into a temporary file (large enough to be split across
#    two threads);
#  - collapse-perf-pipe-<case>: a few cases again through standard input;
#  - collapse-bad-input: hostile input (tests/data/collapse and generated);
#  - fuzz_collapse: a libFuzzer target (tests/fuzz.cmake).

set(FG_COLLAPSE_PROG $<TARGET_FILE:flamegraph-collapse-perf>)
set(FG_COLLAPSE_RUN ${CMAKE_CURRENT_SOURCE_DIR}/collapse/run-case.sh)

# Cases where the project deliberately differs from inferno: "case reason".
# (none: every case matches; see docs/internals/collapse.md)
set(FG_COLLAPSE_DIFFERS)

if(FG_HAVE_CONFORMANCE)
  set(cdir ${FG_CONFORMANCE_DIR}/collapse-perf)
  file(STRINGS ${cdir}/cases.tsv fg_collapse_lines)
  foreach(line ${fg_collapse_lines})
    if(line MATCHES "^#" OR line STREQUAL "")
      continue()
    endif()
    string(REPLACE "\t" ";" fields "${line}")
    list(LENGTH fields nf)
    list(GET fields 0 input)
    list(GET fields 1 expected)
    set(opts "")
    if(nf GREATER 2)
      list(GET fields 2 optstr)
      separate_arguments(opts UNIX_COMMAND "${optstr}")
    endif()
    get_filename_component(cname ${expected} NAME_WE)
    add_test(NAME collapse-perf-${cname}
      COMMAND sh ${FG_COLLAPSE_RUN} ${FG_COLLAPSE_PROG} file
              ${cdir}/${input} ${cdir}/${expected} ${opts})
    set_tests_properties(collapse-perf-${cname} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV}" LABELS "collapse;conformance")
  endforeach()
  # The streamed (pipe) reader on a few inputs of each kind.
  foreach(cname rust-workload-inline go-stacks perf-java-stacks-01
          single-line-stacks weird-stack-line empty-line)
    if(EXISTS ${cdir}/input/${cname}.txt.gz)
      set(input ${cdir}/input/${cname}.txt.gz)
    else()
      set(input ${cdir}/input/${cname}.txt)
    endif()
    add_test(NAME collapse-perf-pipe-${cname}
      COMMAND sh ${FG_COLLAPSE_RUN} ${FG_COLLAPSE_PROG} pipe
              ${input} ${cdir}/expected/${cname}.folded)
    set_tests_properties(collapse-perf-pipe-${cname} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV}" LABELS "collapse;conformance")
  endforeach()
  # One thread and two threads agree on a mapped file.
  add_test(NAME collapse-perf-one-thread-rust-workload-inline-all
    COMMAND sh ${FG_COLLAPSE_RUN} ${FG_COLLAPSE_PROG} file
            ${cdir}/input/rust-workload-inline.txt.gz
            ${cdir}/expected/rust-workload-inline-all.folded --all --nthreads 1)
  set_tests_properties(collapse-perf-one-thread-rust-workload-inline-all
    PROPERTIES ENVIRONMENT "${FG_TEST_ENV}" LABELS "collapse;conformance")
else()
  fg_skipped_corpus(collapse-perf)
endif()

add_test(NAME collapse-bad-input
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/collapse/bad-input.sh
          ${FG_COLLAPSE_PROG} ${CMAKE_CURRENT_SOURCE_DIR}/data/collapse)
set_tests_properties(collapse-bad-input PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV}" LABELS collapse)
