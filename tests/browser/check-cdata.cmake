# The flame graph script is embedded in one CDATA section of every SVG:
# it must never contain the sequence that ends one.
#   cmake -DFILE=lib/assets/flamegraph.js -P check-cdata.cmake
file(READ "${FILE}" js)
string(FIND "${js}" "]]>" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "${FILE}: byte ${at}: contains \"]]>\", which would end the SVG's CDATA section")
endif()
message(STATUS "${FILE}: no \"]]>\": ok")
