#pragma once

#include <string>
#include <string_view>

#include "troupe/config/cluster_config.hpp"

namespace troupe::config {

/// Reads and validates the TOML cluster config at `path`.
/// Throws `config_error` (with file, line, column and reason) when the file
/// cannot be read, is empty, is not UTF-8, is not valid TOML, has a key that
/// is not in the schema, a value of the wrong type or out of range, or breaks
/// a cluster rule (no nodes, duplicate node name, duplicate host:port, ...).
[[nodiscard]] cluster_config load_file(const std::string& path);

/// Like `load_file` for text already in memory; `source_name` is used as the
/// file name in errors and in `cluster_config::source`.
[[nodiscard]] cluster_config parse(std::string_view text,
                                   std::string_view source_name);

} // namespace troupe::config
