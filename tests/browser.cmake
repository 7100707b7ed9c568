# Browser tests: the SVGs flamegraph-render writes, with the embedded
# script (lib/assets/flamegraph.js), driven in headless Chromium by the
# node scripts in tests/browser/ (playwright-core, Debian's chromium).

set(FG_BROWSER_SRC ${CMAKE_CURRENT_SOURCE_DIR}/browser)
set(FG_BROWSER_OUT ${CMAKE_CURRENT_BINARY_DIR}/browser)
set(FG_BROWSER_JS ${CMAKE_SOURCE_DIR}/lib/assets/flamegraph.js)

# The script must not end the CDATA section it is written in: checked when
# configuring (re-run whenever the script changes) and as a test.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${FG_BROWSER_JS})
file(READ ${FG_BROWSER_JS} fg_browser_js)
string(FIND "${fg_browser_js}" "]]>" fg_browser_cdata)
if(NOT fg_browser_cdata EQUAL -1)
  message(FATAL_ERROR "${FG_BROWSER_JS} contains \"]]>\" (byte ${fg_browser_cdata}): "
    "it would end the CDATA section the renderer embeds it in")
endif()
add_test(NAME browser-script-cdata
  COMMAND ${CMAKE_COMMAND} -DFILE=${FG_BROWSER_JS} -P ${FG_BROWSER_SRC}/check-cdata.cmake)

find_program(FG_NODE NAMES node nodejs)
if(NOT TARGET flamegraph-render)
  add_test(NAME browser-skipped
    COMMAND sh -c "echo 'skipped: flamegraph-render is not built yet'; exit 77")
  set_tests_properties(browser-skipped PROPERTIES SKIP_RETURN_CODE 77)
elseif(NOT FG_NODE)
  add_test(NAME browser-skipped
    COMMAND sh -c "echo 'skipped: node not found (run packaging/install-deps.sh)'; exit 77")
  set_tests_properties(browser-skipped PROPERTIES SKIP_RETURN_CODE 77)
else()
  set(FG_RENDER $<TARGET_FILE:flamegraph-render>)
  set(FG_BROWSER_DATA ${CMAKE_CURRENT_SOURCE_DIR}/data/browser)

  # fg_browser_test(NAME SCRIPT ARGS...): node tests/browser/SCRIPT ARGS.
  # TIMEOUT is a hang guard (docs/internals/testing.md): idle, these take
  # 1-15 s.
  function(fg_browser_test name script)
    add_test(NAME browser-${name}
      COMMAND ${FG_NODE} ${FG_BROWSER_SRC}/${script} ${name} ${ARGN})
    set_tests_properties(browser-${name} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV}" TIMEOUT 600
      FAIL_REGULAR_EXPRESSION "^FAIL |\nFAIL ")
  endfunction()

  fg_browser_test(zoom-app test-zoom.js ${FG_RENDER}
    ${FG_BROWSER_DATA}/app.folded ${FG_BROWSER_OUT}/zoom-app.svg)
  fg_browser_test(zoom-app-inverted-fixed test-zoom.js ${FG_RENDER}
    ${FG_BROWSER_DATA}/app.folded ${FG_BROWSER_OUT}/zoom-app-inverted-fixed.svg
    --inverted --width 900 --truncate-text-right)
  fg_browser_test(search-app test-search.js ${FG_RENDER}
    ${FG_BROWSER_DATA}/app.folded ${FG_BROWSER_OUT}/search-app.svg)
  fg_browser_test(hostile test-hostile.js ${FG_RENDER}
    ${FG_BROWSER_DATA}/hostile.folded ${FG_BROWSER_OUT}/hostile.svg)
  # A graph of 30,663 frames; its times are printed, their targets are
  # in tests/bench/bench-browser.sh.
  fg_browser_test(perf test-perf.js ${FG_RENDER}
    ${FG_BROWSER_OUT}/perf.folded ${FG_BROWSER_OUT}/perf.svg)

  # speedscope's own app opens our speedscope files: perf script text of
  # three threads, and the perfdata fixture's recording of fpwork.
  fg_browser_test(speedscope test-speedscope.js
    $<TARGET_FILE:flamegraph-collapse-perf>
    ${CMAKE_CURRENT_SOURCE_DIR}/data/speedscope/threads.txt ${FG_BROWSER_OUT})
  fg_browser_test(speedscope-recording test-speedscope.js
    $<TARGET_FILE:flamegraph-collapse-perfdata>
    ${CMAKE_BINARY_DIR}/perfdata/fp.data ${FG_BROWSER_OUT})
  set_tests_properties(browser-speedscope-recording PROPERTIES
    FIXTURES_REQUIRED perfdata_rec SKIP_RETURN_CODE 77)

  # The corpus' real profiles.
  set(fg_svg_in ${FG_CONFORMANCE_DIR}/flamegraph-svg/input)
  if(FG_HAVE_CONFORMANCE)
    fg_browser_test(zoom-example test-zoom.js ${FG_RENDER}
      ${fg_svg_in}/example-perf-stacks.folded ${FG_BROWSER_OUT}/zoom-example.svg)
    fg_browser_test(search-rust-inverted test-search.js ${FG_RENDER}
      ${fg_svg_in}/rust-workload.folded ${FG_BROWSER_OUT}/search-rust-inverted.svg --inverted)
    fg_browser_test(search-differential test-search.js ${FG_RENDER}
      ${fg_svg_in}/differential.folded ${FG_BROWSER_OUT}/search-differential.svg)
    fg_browser_test(zoom-flamechart test-zoom.js ${FG_RENDER}
      ${fg_svg_in}/flamechart.folded ${FG_BROWSER_OUT}/zoom-flamechart.svg --flamechart)
  else()
    fg_skipped_corpus(browser-flamegraph-svg)
  endif()

  # Charts of lanes from the perfdata fixture's recording of fpwork (three
  # threads): lib/assets/lanes.js.
  foreach(how flamechart per-thread)
    add_test(NAME browser-lanes-${how}
      COMMAND ${FG_NODE} ${FG_BROWSER_SRC}/test-lanes.js lanes-${how}
              $<TARGET_FILE:flamegraph-cli> ${CMAKE_BINARY_DIR}/perfdata/fp.data
              ${FG_BROWSER_OUT}/lanes-${how}.svg --${how})
    set_tests_properties(browser-lanes-${how} PROPERTIES
      ENVIRONMENT "${FG_TEST_ENV}" TIMEOUT 600 SKIP_RETURN_CODE 77
      FIXTURES_REQUIRED perfdata_rec
      FAIL_REGULAR_EXPRESSION "^FAIL |\nFAIL ")
  endforeach()
endif()
add_test(NAME browser-lanes-cdata
  COMMAND ${CMAKE_COMMAND} -DFILE=${CMAKE_SOURCE_DIR}/lib/assets/lanes.js
          -P ${FG_BROWSER_SRC}/check-cdata.cmake)
