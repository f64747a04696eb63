# Helpers that give every module the same shape (see docs/style.md):
#   <module>/include/troupe/<module>/*.hpp  public API
#   <module>/src/*.cpp                      private code
#   <module>/tests/<unit>_test.cpp          one CTest test per file

set(TROUPE_WARNINGS -Wall -Wextra -Wpedantic -Wno-unused-parameter)

# troupe_add_module(<name> [DEPS <public deps>...] [PRIVATE_DEPS <deps>...])
# Builds target troupe_<name> with alias troupe::<name> from src/*.cpp and
# checks that every public header compiles on its own.
function(troupe_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS;SOURCES" ${ARGN})
  set(dir "${CMAKE_CURRENT_SOURCE_DIR}")
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/src/*.cpp")
  list(APPEND srcs ${ARG_SOURCES})
  file(GLOB_RECURSE headers CONFIGURE_DEPENDS
       "${dir}/include/troupe/${name}/*.hpp")
  set(target troupe_${name})
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_include_directories(${target}
      PUBLIC "${dir}/include"
      PRIVATE "${dir}/src")
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    target_compile_options(${target} PRIVATE ${TROUPE_WARNINGS})
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE "${dir}/include")
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(troupe::${name} ALIAS ${target})

  # Header self-containment: one translation unit per public header that
  # includes nothing else.
  if(headers)
    set(check_srcs "")
    foreach(h IN LISTS headers)
      file(RELATIVE_PATH rel "${dir}/include" "${h}")
      string(MAKE_C_IDENTIFIER "${rel}" id)
      set(tu "${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp")
      file(CONFIGURE OUTPUT "${tu}" CONTENT "#include \"${rel}\"\n")
      list(APPEND check_srcs "${tu}")
    endforeach()
    add_library(${target}_header_check OBJECT ${check_srcs})
    target_link_libraries(${target}_header_check PRIVATE ${target})
    target_compile_options(${target}_header_check PRIVATE ${TROUPE_WARNINGS})
  endif()
endfunction()

# troupe_add_test(<file.cpp> [DEPS <libs>...] [LABELS <labels>...]
#                 [TIMEOUT <seconds>])
# One Boost.Test executable and one CTest test per file, named after the file.
function(troupe_add_test file)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS;LABELS;SOURCES" ${ARGN})
  get_filename_component(name "${file}" NAME_WE)
  get_filename_component(dirname "${CMAKE_CURRENT_SOURCE_DIR}" DIRECTORY)
  get_filename_component(module "${dirname}" NAME)
  if(NOT IS_DIRECTORY "${dirname}/include")
    get_filename_component(module "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  endif()
  set(target ${module}_${name})
  add_executable(${target} "${file}" ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS}
                        Boost::unit_test_framework)
  target_compile_definitions(${target} PRIVATE BOOST_TEST_DYN_LINK
                             "BOOST_TEST_MODULE=${target}")
  target_compile_options(${target} PRIVATE ${TROUPE_WARNINGS})
  add_test(NAME ${target} COMMAND ${target} --log_level=message
           WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${target} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
                       LABELS "${module};${ARG_LABELS}")
endfunction()
