# Use ccache when it is installed: CI rebuilds the same sources from fresh clones.
if(NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(TESSERA_CCACHE ccache)
  if(TESSERA_CCACHE)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${TESSERA_CCACHE}")
  endif()
endif()
