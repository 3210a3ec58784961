# Build options shared by every target: warnings, sanitizers, ccache.
option(CUSTFLOW_WERROR "Treat compiler warnings as errors (on in CI)" OFF)
option(CUSTFLOW_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(CUSTFLOW_FRAME_POINTERS "Keep frame pointers for profiling with perf" OFF)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

# Flags for the project's own code; generated code and third-party headers get fewer.
add_library(custflow_warnings INTERFACE)
target_compile_options(custflow_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                                                   -Wnon-virtual-dtor)
if(CUSTFLOW_WERROR)
  target_compile_options(custflow_warnings INTERFACE -Werror)
endif()

if(CUSTFLOW_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(CUSTFLOW_FRAME_POINTERS)
  add_compile_options(-fno-omit-frame-pointer)
endif()

# custflow_add_service(NAME binary SOURCES ... LIBS ...): a service executable, linked with
# jemalloc unless the sanitizers are on (they bring their own allocator).
function(custflow_add_service)
  cmake_parse_arguments(S "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${S_NAME} ${S_SOURCES})
  target_link_libraries(${S_NAME} PRIVATE ${S_LIBS} custflow_warnings)
  if(JEMALLOC_LIBRARY AND NOT CUSTFLOW_SANITIZE)
    target_link_libraries(${S_NAME} PRIVATE ${JEMALLOC_LIBRARY})
  endif()
endfunction()

# custflow_add_test(NAME name SOURCES ... LIBS ... LABELS unit|integration|e2e [TIMEOUT s])
# One GoogleTest binary registered as one ctest test, so labels stay easy to read.
function(custflow_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest_main GTest::gmock custflow_warnings)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
