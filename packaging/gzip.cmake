# gzip.cmake: cmake -DIN=<file> -DOUT=<file>.gz -P gzip.cmake
# Compresses a man page or a changelog as Debian installs them: gzip -9
# with no name or time stamp in the header, so the same text always gives
# the same bytes.
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND gzip -9nc ${IN} OUTPUT_FILE ${OUT}.tmp
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip -9n ${IN}: failed")
endif()
file(RENAME ${OUT}.tmp ${OUT})
