# Build helpers every layer uses. A folder's CMakeLists.txt is a handful of these calls:
#
#   sfs_library(sfs_json SOURCES json.cc DEPS sfs_core)
#   sfs_command(NAME markdown DESCRIPTION "CommonMark to HTML" FUNCTION sfs::markdown::cli_main
#               LIBRARY sfs_markdown)
#   sfs_test(json_test SOURCES tests/json_test.cc DEPS sfs_json LABELS unit conformance)
#   sfs_fuzzer(json_fuzz SOURCES fuzz/json_fuzz.cc DEPS sfs_json CORPUS fuzz/corpus)
#
# Includes are rooted at the top of the tree: #include "core/status.h", "formats/json/json.h".

# Adds every immediate child of DIR that has a CMakeLists.txt, in name order.
function(sfs_add_children dir)
  file(GLOB children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/${dir}
       ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/${child}/CMakeLists.txt)
      add_subdirectory(${dir}/${child})
    endif()
  endforeach()
endfunction()

# A static library of one layer/system.
function(sfs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# Registers `sfs NAME ...`. FUNCTION is a fully qualified `int f(int argc, char** argv)`; argv[0]
# is the command name. cli/ generates the dispatch table from these registrations.
function(sfs_command)
  cmake_parse_arguments(ARG "" "NAME;DESCRIPTION;FUNCTION;LIBRARY" "" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY SFS_COMMANDS "${ARG_NAME}")
  set_property(GLOBAL PROPERTY SFS_COMMAND_${ARG_NAME}_DESCRIPTION "${ARG_DESCRIPTION}")
  set_property(GLOBAL PROPERTY SFS_COMMAND_${ARG_NAME}_FUNCTION "${ARG_FUNCTION}")
  set_property(GLOBAL APPEND PROPERTY SFS_COMMAND_LIBRARIES ${ARG_LIBRARY})
endfunction()

# A GoogleTest executable; each TEST becomes its own ctest entry (discovered when ctest runs).
# LABELS: unit (default), conformance, interop, slow. Tests may run the `sfs` binary: it is built
# first and its path is in core::testing::sfs_binary().
function(sfs_test name)
  if(NOT SFS_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} sfs_testing GTest::gtest GTest::gtest_main)
  add_dependencies(${name} sfs)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()

# A libFuzzer harness (a file defining LLVMFuzzerTestOneInput). With SFS_FUZZ it links libFuzzer
# (run it with scripts/fuzz). In every other build it links a small replay driver and becomes a
# test that feeds it each file of CORPUS, so the harness always compiles and its seeds stay clean.
function(sfs_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(SFS_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    # scripts/fuzz reads the seed corpus folder from here.
    file(WRITE ${CMAKE_BINARY_DIR}/fuzz/${name}.corpus "${CMAKE_CURRENT_SOURCE_DIR}/${ARG_CORPUS}\n")
  elseif(SFS_TESTS)
    add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/core/testing/fuzz_replay_main.cc)
    target_link_libraries(${name} PRIVATE ${ARG_DEPS})
    set(corpus ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_CORPUS})
    add_test(NAME ${name}.replay COMMAND ${name} ${corpus})
    set_tests_properties(${name}.replay PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endfunction()

# A benchmark program (Google Benchmark or a plain main); built only with SFS_BENCH.
function(sfs_bench name)
  if(NOT SFS_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()
