#include "troupe/ring/error.hpp"

namespace troupe::ring {

const char* to_string(errc code) noexcept {
  switch (code) {
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::duplicate_node:
    return "duplicate_node";
  case errc::unknown_node:
    return "unknown_node";
  case errc::last_node:
    return "last_node";
  case errc::too_many_points:
    return "too_many_points";
  }
  return "unknown";
}

} // namespace troupe::ring
