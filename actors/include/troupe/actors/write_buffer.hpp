#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>

#include "troupe/actors/participant_messages.hpp"

namespace troupe::actors {

/// A transaction's buffered writes: the last one per key (nullopt: erase).
using write_buffer = std::map<std::string, std::optional<std::string>>;

/// Checks one write against the size limits: too_large (do_not_retry)
/// naming the size and the limit, or no error.
[[nodiscard]] caf::error check_write(const std::string& key,
                                     const std::optional<std::string>& value,
                                     std::uint32_t max_key,
                                     std::uint32_t max_value);

/// The part of a prefix's keys that one page of a scan covers: the keys
/// after `after` (empty: from the first) up to and including `upto`
/// (nullopt: to the last).
struct scan_window {
  std::string after;
  std::optional<std::string> upto;
};

/// Applies the writes of `writes` whose key starts with `prefix` and lies in
/// `window` to `rows` (storage rows of that window, in any order) and
/// returns the result in key order, at most `limit` rows (0: all). The
/// answer is truncated when the limit cut rows (it resumes after the last
/// row) or when `window` ends before the prefix does (it resumes after
/// `upto`). Used by the coordinator and the client alike, so a scan sees
/// its own writes the same way on both sides.
[[nodiscard]] scan_reply overlay_writes(std::vector<key_value> rows,
                                        const write_buffer& writes,
                                        const std::string& prefix,
                                        const scan_window& window,
                                        std::uint32_t limit);

} // namespace troupe::actors
