#pragma once

#include <nlohmann/json.hpp>

#include "troupe/ring/simulate.hpp"

namespace troupe::app {

/// Returns the `ring simulate --json` document. The fields "load" {min,
/// mean, max}, "moved_fraction", "moved_to_new_only" and "modulo"
/// {"moved_fraction"} are a user interface: never rename them.
nlohmann::ordered_json to_json(const ring::simulate_report& report);

/// Prints the `ring simulate` report as a two-column table (ring, modulo).
void print_text(const ring::simulate_report& report);

} // namespace troupe::app
