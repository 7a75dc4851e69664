# Embeds data files (holiday tables, example configs, templates) into a C++ source at build time,
# so the binaries work from any folder. Each file becomes a byte array; the generated source
# defines motcua::resources::all() (see config/resources.hpp).
function(motcua_embed out_cpp base_dir)
  set(files ${ARGN})
  set(deps)
  foreach(f IN LISTS files)
    list(APPEND deps "${base_dir}/${f}")
  endforeach()
  add_custom_command(
    OUTPUT "${out_cpp}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DBASE=${base_dir} "-DFILES=${files}"
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake"
    DEPENDS ${deps} "${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake"
    COMMENT "Embedding ${files}"
    VERBATIM)
endfunction()
