# House rules and documentation checks.
add_test(NAME lint-house-rules COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/lint/house-rules.sh)
set_tests_properties(lint-house-rules PROPERTIES ENVIRONMENT "${FG_TEST_ENV}")

# Every manual page is valid mdoc.
find_program(MANDOC mandoc)
file(GLOB FG_MAN_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.1)
foreach(page ${FG_MAN_PAGES})
  get_filename_component(pname ${page} NAME)
  if(MANDOC)
    add_test(NAME lint-man-${pname}
      COMMAND ${MANDOC} -Tlint -Wwarning ${page})
  else()
    add_test(NAME lint-man-${pname}
      COMMAND sh -c "echo 'skipped: mandoc not installed'; exit 77")
    set_tests_properties(lint-man-${pname} PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()

# The public header compiles on its own, as C11 and as C++.
add_test(NAME lint-header-selfcontained
  COMMAND sh -c "printf '#include <flamegraph.h>\\nint main(void){return 0;}\\n' | ${CMAKE_C_COMPILER} -std=c11 -Wall -Wextra -Werror -I${CMAKE_SOURCE_DIR}/lib/include -x c -fsyntax-only -")
