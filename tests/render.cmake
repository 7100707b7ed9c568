# Renderer tests: every case of the flamegraph-svg conformance corpus
# (frames as inferno 0.12.8 draws them, well-formed, deterministic), hostile
# names and options, the programs' behaviour (-o, stdin, exit codes,
# warnings) and flamegraph-diff-folded.
set(FG_RENDER_SH ${CMAKE_CURRENT_SOURCE_DIR}/render)
set(FG_RENDER_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/render)

if(FG_HAVE_CONFORMANCE)
  set(fg_svg_dir ${FG_CONFORMANCE_DIR}/flamegraph-svg)
  file(STRINGS ${fg_svg_dir}/cases.tsv fg_svg_cases)
  foreach(line ${fg_svg_cases})
    if(line MATCHES "^#")
      continue()
    endif()
    # input<TAB>expected<TAB>options; options may hold ';' (not here) or
    # be empty.
    string(REPLACE "\t" ";" fields "${line}")
    list(LENGTH fields nf)
    list(GET fields 0 in)
    list(GET fields 1 exp)
    set(opts "")
    if(nf GREATER 2)
      list(GET fields 2 opts)
    endif()
    get_filename_component(case ${exp} NAME_WE)
    add_test(NAME render-conformance-${case}
      COMMAND sh ${FG_RENDER_SH}/conformance.sh $<TARGET_FILE:flamegraph-render>
              ${FG_CONFORMANCE_DIR}/../tools ${fg_svg_dir}/${in} ${fg_svg_dir}/${exp} "${opts}")
    set_tests_properties(render-conformance-${case} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV}" LABELS "render;conformance")
  endforeach()
else()
  fg_skipped_corpus(flamegraph-svg)
endif()

add_test(NAME render-hostile
  COMMAND sh ${FG_RENDER_SH}/hostile.sh $<TARGET_FILE:flamegraph-render> ${FG_RENDER_DATA})
add_test(NAME render-cli
  COMMAND sh ${FG_RENDER_SH}/cli.sh $<TARGET_FILE:flamegraph-render>
          $<TARGET_FILE:flamegraph-diff-folded> ${FG_RENDER_DATA})
set_tests_properties(render-hostile render-cli PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV}" LABELS render)
if(TEST unit-test_render)
  set_tests_properties(unit-test_render unit-test_render_folded PROPERTIES
    LABELS "render;unit")
endif()
