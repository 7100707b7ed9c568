# api.cmake: the public API is enforced (docs/internals/api.md).
#  - api-symbols: libflamegraph.so exports exactly the functions
#    flamegraph.h declares, each with FG_API;
#  - api-pkgconfig: a program built against the installed library with
#    pkg-config, shared and --static, runs.
set(FG_API_SH ${CMAKE_CURRENT_SOURCE_DIR}/lint)
if(FG_SHARED)
  add_test(NAME api-symbols
    COMMAND sh ${FG_API_SH}/api-symbols.sh
            ${CMAKE_SOURCE_DIR}/lib/include/flamegraph.h
            $<TARGET_FILE:flamegraph_shared>)
  set_tests_properties(api-symbols PROPERTIES
    ENVIRONMENT "${FG_TEST_ENV};NM=${CMAKE_NM}" LABELS "api;lint")
endif()

# The consumer is built with the sanitizers the library was built with.
set(fg_api_cflags "")
if(FG_FUZZ)
  set(fg_api_cflags "-fsanitize=fuzzer-no-link,address,undefined")
elseif(FG_SANITIZE)
  set(fg_api_cflags "-fsanitize=${fg_san}")
endif()
add_test(NAME api-pkgconfig
  COMMAND sh ${FG_API_SH}/api-pkgconfig.sh ${CMAKE_BINARY_DIR} ${CMAKE_C_COMPILER})
set_tests_properties(api-pkgconfig PROPERTIES
  ENVIRONMENT "${FG_TEST_ENV};FG_TEST_CFLAGS=${fg_api_cflags}"
  LABELS "api;lint" TIMEOUT 300)
