# troupe_find_plain_library(<Package> <target> <header> <library>): the body
# of a Find module for a Debian library that ships no CMake package: finds
# the header and the library, sets <Package>_FOUND and defines the imported
# <target>.
function(troupe_find_plain_library package target header library)
  string(TOUPPER "${package}" var)
  find_path(${var}_INCLUDE_DIR NAMES ${header})
  find_library(${var}_LIBRARY NAMES ${library})
  include(FindPackageHandleStandardArgs)
  find_package_handle_standard_args(${package}
    REQUIRED_VARS ${var}_INCLUDE_DIR ${var}_LIBRARY)
  set(${package}_FOUND ${${package}_FOUND} PARENT_SCOPE)
  if(${package}_FOUND AND NOT TARGET ${target})
    add_library(${target} UNKNOWN IMPORTED GLOBAL)
    set_target_properties(${target} PROPERTIES
      IMPORTED_LOCATION "${${var}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${${var}_INCLUDE_DIR}")
  endif()
  mark_as_advanced(${var}_INCLUDE_DIR ${var}_LIBRARY)
endfunction()
