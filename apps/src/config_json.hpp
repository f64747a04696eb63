#pragma once

#include <nlohmann/json.hpp>

#include "troupe/config/cluster_config.hpp"
#include "troupe/config/config_error.hpp"

namespace troupe::app {

/// Returns the filled-in config as JSON (the `config check --json` format).
nlohmann::ordered_json to_json(const config::cluster_config& cfg);

/// Reports a bad config file the way every command does: "FILE:LINE:COL:
/// reason" on stderr and, when `json`, {"error": {file, line, column,
/// reason}} on stdout. Returns `exit_bad_input`.
int report_config_error(const config::config_error& e, bool json);

} // namespace troupe::app
