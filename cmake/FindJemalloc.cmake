# FindJemalloc: libjemalloc-dev has no CMake package. Defines
# Jemalloc::jemalloc.
include(${CMAKE_CURRENT_LIST_DIR}/plain_library.cmake)
troupe_find_plain_library(Jemalloc Jemalloc::jemalloc jemalloc/jemalloc.h
                          jemalloc)
