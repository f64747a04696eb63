# FindxxHash: libxxhash-dev has no CMake package. Defines xxHash::xxhash.
include(${CMAKE_CURRENT_LIST_DIR}/plain_library.cmake)
troupe_find_plain_library(xxHash xxHash::xxhash xxhash.h xxhash)
