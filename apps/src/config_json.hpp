#pragma once

#include <nlohmann/json.hpp>

#include "troupe/config/cluster_config.hpp"

namespace troupe::app {

/// Returns the filled-in config as JSON (the `config check --json` format).
nlohmann::ordered_json to_json(const config::cluster_config& cfg);

} // namespace troupe::app
