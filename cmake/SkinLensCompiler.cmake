# Compiler settings shared by every project target.
#
# Warnings are applied per target through skinlens_target_warnings() rather than
# globally, so generated protobuf code and third-party headers do not drown the
# project's own diagnostics.

find_program(SKINLENS_CCACHE ccache)
if(SKINLENS_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER "${SKINLENS_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${SKINLENS_CCACHE}")
endif()

if(SKINLENS_SANITIZE)
  set(_skinlens_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_skinlens_san})
  add_link_options(${_skinlens_san})
endif()

function(skinlens_target_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                           -Wnon-virtual-dtor -Wno-unused-parameter)
  if(SKINLENS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(SKINLENS_SANITIZE)
    # ASan's instrumentation defeats GCC's flow analysis: it reports
    # maybe-uninitialized on LibTorch's own headers (c10::optional<Generator>),
    # which the normal build checks without this exception.
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  endif()
endfunction()

# skinlens_test(<name> SOURCES ... LIBS ... [LABELS ...] [TIMEOUT seconds])
# A GoogleTest executable whose cases CTest discovers one by one. TIMEOUT
# overrides the run's default (scripts/test: 300 s) for every case of it.
function(skinlens_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  skinlens_target_warnings(${name})
  set(_props "")
  if(ARG_LABELS)
    list(APPEND _props LABELS "${ARG_LABELS}")
  endif()
  if(ARG_TIMEOUT)
    list(APPEND _props TIMEOUT "${ARG_TIMEOUT}")
  endif()
  if(_props)
    set(_props PROPERTIES ${_props})
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 ${_props})
endfunction()
