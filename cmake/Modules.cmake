# One static library per module (src/<module>/), with the modules it may include declared.
#
# The build enforces the direction: each module's headers are visible only through its own
# include root (build/modules/<module>/<module> -> src/<module>), which reaches a target only by
# linking the module's library. A module that includes a header of a module it does not depend
# on (directly or through one it depends on) fails to compile with "No such file or directory".
function(ht_module name)
  cmake_parse_arguments(M "" "" "DEPS;LIBS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  list(FILTER sources EXCLUDE REGEX ".*/src/app/main\\.cpp$")
  set(root ${PROJECT_BINARY_DIR}/modules/${name})
  file(MAKE_DIRECTORY ${root})
  file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${name} ${root}/${name} SYMBOLIC)
  add_library(ht_${name} STATIC ${sources})
  target_include_directories(ht_${name} PUBLIC ${root})
  set(deps)
  foreach(d IN LISTS M_DEPS)
    list(APPEND deps ht_${d})
  endforeach()
  target_link_libraries(ht_${name} PUBLIC ${deps} ${M_LIBS})
  ht_set_warnings(ht_${name})
endfunction()
