# completion.cmake: cmake -DPROG=<built program> -DSHELL=bash|zsh|fish
#   -DOUT=<file> -P completion.cmake
# Writes the program's completion script for SHELL (PROG --completions
# SHELL) to OUT, and OUT.stamp.  A program without --completions leaves no
# OUT and a message, and the build goes on: install(... OPTIONAL) then
# skips it.
execute_process(COMMAND ${PROG} --completions ${SHELL}
  OUTPUT_VARIABLE script ERROR_VARIABLE err RESULT_VARIABLE rc)
get_filename_component(name ${PROG} NAME)
if(NOT rc EQUAL 0 OR script STREQUAL "")
  file(REMOVE ${OUT})
  message(STATUS "${name}: no --completions ${SHELL}; its ${SHELL} completion is not installed")
else()
  file(WRITE ${OUT}.tmp "${script}")
  file(RENAME ${OUT}.tmp ${OUT})
endif()
file(TOUCH ${OUT}.stamp)
