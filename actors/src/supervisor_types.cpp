#include "troupe/actors/supervisor_types.hpp"

namespace troupe::actors {

std::string to_string(restart_strategy x) {
  switch (x) {
  case restart_strategy::one_for_one:
    return "one_for_one";
  case restart_strategy::all_for_one:
    return "all_for_one";
  }
  return "invalid";
}

std::string to_string(restart_type x) {
  switch (x) {
  case restart_type::permanent:
    return "permanent";
  case restart_type::transient:
    return "transient";
  case restart_type::temporary:
    return "temporary";
  }
  return "invalid";
}

std::string to_string(child_status x) {
  switch (x) {
  case child_status::running:
    return "running";
  case child_status::restarting:
    return "restarting";
  case child_status::stopping:
    return "stopping";
  case child_status::stopped:
    return "stopped";
  }
  return "invalid";
}

std::string to_string(supervisor_errc x) {
  switch (x) {
  case supervisor_errc::unknown_child:
    return "unknown_child";
  case supervisor_errc::child_not_running:
    return "child_not_running";
  case supervisor_errc::restart_limit_exceeded:
    return "restart_limit_exceeded";
  case supervisor_errc::invalid_child_handle:
    return "invalid_child_handle";
  case supervisor_errc::invalid_child_spec:
    return "invalid_child_spec";
  }
  return "invalid";
}

const child_stats* supervisor_stats::find(const std::string& child_name) const {
  for (auto& child : children)
    if (child.name == child_name) return &child;
  return nullptr;
}

} // namespace troupe::actors
