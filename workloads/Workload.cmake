# sdb_add_workload(FILE.swl): compile FILE.swl with swlc into
# ${CMAKE_BINARY_DIR}/gen/<name>.c and build bin/stormdb-<name> from it.
# The binary's name comes from the file name: workloads/tpcc.swl -> stormdb-tpcc.
function(sdb_add_workload swl)
  get_filename_component(name ${swl} NAME_WE)
  set(out ${CMAKE_BINARY_DIR}/gen/${name}.c)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/gen
    COMMAND swlc ${swl} -o ${out}
    DEPENDS swlc ${swl}
    COMMENT "swlc ${name}.swl"
    VERBATIM)
  add_executable(stormdb-${name} ${out})
  # -fwrapv: integer arithmetic in a workload wraps instead of being undefined
  target_compile_options(stormdb-${name} PRIVATE -Wall -Wextra -Werror -fwrapv)
  target_link_libraries(stormdb-${name} PRIVATE stormdb_rt)
  install(TARGETS stormdb-${name} RUNTIME DESTINATION bin)
endfunction()
