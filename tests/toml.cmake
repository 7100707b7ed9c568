# TOML reader and manifest tests.
#  - tests/toml/toml-json.c: the reader's driver (tagged JSON, checks);
#  - one CTest per case of toml-test's files-toml-1.0.0 (toml-valid-X,
#    toml-invalid-X), read from ${FG_CONFORMANCE_DIR}/toml-test;
#  - tests/unit/test_toml.c and test_manifest.c are picked up by the
#    unit-test glob; tests/fuzz/fuzz_toml.c is built with FG_FUZZ and clang.

add_executable(toml-json ${CMAKE_CURRENT_SOURCE_DIR}/toml/toml-json.c)
target_include_directories(toml-json PRIVATE ${CMAKE_SOURCE_DIR}/lib)
target_link_libraries(toml-json PRIVATE flamegraph PkgConfig::CJSON)

# What the manifest module says against what real cargo does.
add_executable(manifest-info ${CMAKE_CURRENT_SOURCE_DIR}/toml/manifest-info.c)
target_link_libraries(manifest-info PRIVATE flamegraph)
add_test(NAME manifest-cargo-agree
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/toml/cargo-agree.sh $<TARGET_FILE:manifest-info>)
set_tests_properties(manifest-cargo-agree PROPERTIES ENVIRONMENT "${FG_TEST_ENV}"
  SKIP_RETURN_CODE 77 TIMEOUT 900)

set(FG_TOML_TEST_DIR "${FG_CONFORMANCE_DIR}/toml-test")
if(FG_HAVE_CONFORMANCE AND EXISTS "${FG_TOML_TEST_DIR}/files-toml-1.0.0")
  file(STRINGS "${FG_TOML_TEST_DIR}/files-toml-1.0.0" fg_toml_cases)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
    "${FG_TOML_TEST_DIR}/files-toml-1.0.0")
  foreach(case ${fg_toml_cases})
    if(NOT case MATCHES "\\.toml$")
      continue()
    endif()
    string(REGEX REPLACE "\\.toml$" "" stem "${case}")
    if(case MATCHES "^valid/")
      add_test(NAME toml-${stem}
        COMMAND toml-json --valid ${case} ${stem}.json
        WORKING_DIRECTORY ${FG_TOML_TEST_DIR}/tests)
    elseif(case MATCHES "^invalid/")
      add_test(NAME toml-${stem}
        COMMAND toml-json --invalid ${case}
        WORKING_DIRECTORY ${FG_TOML_TEST_DIR}/tests)
    else()
      continue()
    endif()
    set_tests_properties(toml-${stem} PROPERTIES ENVIRONMENT "${FG_TEST_ENV}"
      LABELS toml)
  endforeach()
else()
  fg_skipped_corpus(toml-test)
endif()
