# install.cmake (included by CMakeLists.txt): what an installation holds
# besides the targets -- man pages, shell completions, the licence -- and
# the CPack settings that make the Debian packages from it
# (docs/internals/packaging.md).  `cpack -G DEB` in the build directory
# makes three packages:
#   libflamegraph0     the shared library (component lib)
#   libflamegraph-dev  header, static library, .so link, pkg-config (dev)
#   cargo-flamegraph   the programs, man pages, completions (tools)
# The programs link the static library, so cargo-flamegraph needs no
# libflamegraph0.

set(FG_DEB_TOOLS cargo-flamegraph)
set(FG_DEB_LIB libflamegraph0)
set(FG_DEB_DEV libflamegraph-dev)

# ---- man pages: gzip -9n, as Debian installs them --------------------------
file(GLOB FG_MANPAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.1)
find_program(FG_GZIP gzip)
set(FG_MAN_OUT)
foreach(page ${FG_MANPAGES})
  if(FG_GZIP)
    get_filename_component(pname ${page} NAME)
    set(out ${CMAKE_BINARY_DIR}/man/${pname}.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -DIN=${page} -DOUT=${out}
              -P ${CMAKE_SOURCE_DIR}/packaging/gzip.cmake
      DEPENDS ${page} ${CMAKE_SOURCE_DIR}/packaging/gzip.cmake VERBATIM)
    list(APPEND FG_MAN_OUT ${out})
  else()
    list(APPEND FG_MAN_OUT ${page})
  endif()
endforeach()
add_custom_target(manpages ALL DEPENDS ${FG_MAN_OUT})
install(FILES ${FG_MAN_OUT} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT tools)

# ---- completions: written by the built programs (--completions SHELL) -----
# Every program is asked; one that lacks the option leaves no script (a
# message says so when it is built) and install() skips it.  The stamp
# says the program was asked, so a missing script is not asked for again
# until the program changes.
set(FG_COMPLETE_DIRS
  "bash|${CMAKE_INSTALL_DATADIR}/bash-completion/completions|%s"
  "zsh|${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions|_%s"
  "fish|${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d|%s.fish")
set(FG_COMPLETE_OUT)
if(NOT CMAKE_CROSSCOMPILING)
  foreach(tgt ${FG_PROGRAMS})
    get_target_property(prog ${tgt} OUTPUT_NAME)
    foreach(entry ${FG_COMPLETE_DIRS})
      string(REPLACE "|" ";" entry "${entry}")
      list(GET entry 0 shell)
      list(GET entry 1 dest)
      list(GET entry 2 pattern)
      string(REPLACE "%s" "${prog}" fname "${pattern}")
      set(out ${CMAKE_BINARY_DIR}/completions/${shell}/${fname})
      add_custom_command(OUTPUT ${out}.stamp
        BYPRODUCTS ${out}
        COMMAND ${CMAKE_COMMAND} -DPROG=$<TARGET_FILE:${tgt}>
                -DSHELL=${shell} -DOUT=${out}
                -P ${CMAKE_SOURCE_DIR}/packaging/completion.cmake
        DEPENDS ${tgt} ${CMAKE_SOURCE_DIR}/packaging/completion.cmake
        VERBATIM)
      list(APPEND FG_COMPLETE_OUT ${out}.stamp)
      install(FILES ${out} DESTINATION ${dest} COMPONENT tools OPTIONAL)
    endforeach()
  endforeach()
endif()
add_custom_target(completions ALL DEPENDS ${FG_COMPLETE_OUT})

# ---- licence and changelog in each package's doc directory ----------------
# Debian's policy: /usr/share/doc/<package>/copyright and, for a package
# without a Debian revision, changelog.gz.  The date is the build's
# (SOURCE_DATE_EPOCH when set, for reproducible packages), to the day.
string(TIMESTAMP FG_DEB_DATE "%a, %d %b %Y 00:00:00 +0000" UTC)
set(FG_DEB_MAINTAINER
    "The cargo-flamegraph developers <cargo-flamegraph@users.noreply.github.com>")
set(FG_DEB_COMPONENTS "tools|${FG_DEB_TOOLS}" "dev|${FG_DEB_DEV}")
if(FG_SHARED)
  list(APPEND FG_DEB_COMPONENTS "lib|${FG_DEB_LIB}")
endif()
foreach(pair ${FG_DEB_COMPONENTS})
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 comp)
  list(GET pair 1 pkg)
  set(docdir ${CMAKE_INSTALL_DATADIR}/doc/${pkg})
  install(FILES ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${docdir}
          RENAME copyright COMPONENT ${comp})
  set(cl ${CMAKE_BINARY_DIR}/changelog/${pkg}/changelog)
  # written only when it changes, so the build stays quiet
  file(CONFIGURE OUTPUT ${cl} CONTENT
"${pkg} (${PROJECT_VERSION}) unstable; urgency=medium

  * Built from the cargo-flamegraph ${PROJECT_VERSION} sources.

 -- ${FG_DEB_MAINTAINER}  ${FG_DEB_DATE}
")
  if(FG_GZIP)
    add_custom_command(OUTPUT ${cl}.gz
      COMMAND ${CMAKE_COMMAND} -DIN=${cl} -DOUT=${cl}.gz
              -P ${CMAKE_SOURCE_DIR}/packaging/gzip.cmake
      DEPENDS ${cl} ${CMAKE_SOURCE_DIR}/packaging/gzip.cmake VERBATIM)
    add_custom_target(changelog-${pkg} ALL DEPENDS ${cl}.gz)
    install(FILES ${cl}.gz DESTINATION ${docdir} COMPONENT ${comp})
  endif()
endforeach()

# ---- CPack: the Debian packages ---------------------------------------------
set(CPACK_PACKAGE_NAME ${FG_DEB_TOOLS})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The cargo-flamegraph developers")
set(CPACK_PACKAGE_CONTACT ${FG_DEB_MAINTAINER})
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
# The package installs where the pkg-config file says the library is:
# configure with -DCMAKE_INSTALL_PREFIX=/usr for a package in /usr.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# Without the shared library (FG_SHARED=OFF) there is no libflamegraph0.
if(FG_SHARED)
  set(CPACK_COMPONENTS_ALL tools lib dev)
else()
  set(CPACK_COMPONENTS_ALL tools dev)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the binaries' NEEDED entries (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Debian ships binaries stripped (its -dbgsym packages keep the symbols).
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME ${FG_DEB_TOOLS})
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION devel)
# perf records; cargo only for cargo-flamegraph (flamegraph profiles any
# command), so it is recommended, not required.  perf is linux-perf on
# Debian, linux-tools-* on Ubuntu.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "linux-perf | linux-tools-generic")
set(CPACK_DEBIAN_TOOLS_PACKAGE_RECOMMENDS "cargo")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SUGGESTS "xdg-utils")
set(CPACK_COMPONENT_TOOLS_DESCRIPTION
"flame graphs of Rust programs from perf recordings
cargo flamegraph builds a Cargo target with symbols, records it with perf
and writes flamegraph.svg; flamegraph does the same for any command, a
running process or a recording.  Also flamegraph-collapse-perfdata,
flamegraph-collapse-perf, flamegraph-render and flamegraph-diff-folded,
the stages on their own.")

set(CPACK_DEBIAN_LIB_PACKAGE_NAME ${FG_DEB_LIB})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
# the shlibs file (CPack makes it for the packages with shared libraries,
# this one): packages linking libflamegraph.so.0 depend on this one
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# ldconfig through dpkg's trigger, not CPack's postinst/postrm calls
# (which our own no-op scripts replace)
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/deb/triggers
    ${CMAKE_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_LIB_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_COMPONENT_LIB_DESCRIPTION
"perf recordings and folded stacks to flame graph SVGs (library)
libflamegraph reads perf.data recordings natively (DWARF unwinding,
inline frames, Rust demangling), folds stacks and renders flame graph
SVGs.  This package has the shared library.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${FG_DEB_DEV})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# the static library's dependencies, for pkg-config --static
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libbsd-dev, libcjson-dev, libdw-dev, libelf-dev, libiberty-dev, libzstd-dev, zlib1g-dev, pkgconf | pkg-config")
if(LIBDEFLATE_FOUND)
  string(APPEND CPACK_DEBIAN_DEV_PACKAGE_DEPENDS ", libdeflate-dev")
endif()
if(FG_SHARED)
  set(CPACK_COMPONENT_DEV_DEPENDS lib)
endif()
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_COMPONENT_DEV_DESCRIPTION
"perf recordings and folded stacks to flame graph SVGs (development)
libflamegraph reads perf.data recordings natively (DWARF unwinding,
inline frames, Rust demangling), folds stacks and renders flame graph
SVGs.  This package has the header flamegraph.h, the static library and
the pkg-config file.")

include(CPack)
