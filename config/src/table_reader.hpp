#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "troupe/config/cluster_config.hpp"
#include "troupe/config/config_error.hpp"

namespace troupe::config::detail {

/// Reads typed values out of one TOML table and remembers which keys the
/// schema knows, so that `finish` can reject every other key (typos must not
/// be silently ignored). Every error carries the file, line and column of the
/// offending key or value.
class table_reader {
 public:
  /// The longest interval a config may give (one day).
  static constexpr std::int64_t max_interval_ms = 24LL * 3600 * 1000;

  /// `where` names the table in messages, e.g. "[durability]" or "nodes[2]".
  /// Fails at once on the first key of `table` not in `allowed` (so a typo
  /// is reported as such, not as a missing key); getters may ask only for
  /// allowed keys.
  table_reader(const toml::table& table, std::string where,
               const std::string& file, std::set<std::string> allowed);

  /// Returns the value of `key` or `fallback` when absent. Fails when the
  /// value is not a string or (if `non_empty`) is empty.
  std::string get_string(std::string_view key, std::string fallback,
                         bool non_empty = true);

  /// Returns the string at `key`; fails when it is absent.
  std::string require_string(std::string_view key);

  /// Returns the integer at `key` (or `fallback`), which must lie in
  /// [min, max]; `unit` is appended to numbers in messages.
  std::int64_t get_int(std::string_view key, std::int64_t fallback,
                       std::int64_t min, std::int64_t max,
                       std::string_view unit = "");

  /// Returns the integer at `key`; fails when absent or outside [min, max].
  std::int64_t require_int(std::string_view key, std::int64_t min,
                           std::int64_t max);

  /// Returns the number (integer or float) at `key`, in [min, max].
  double get_number(std::string_view key, double fallback, double min,
                    double max);

  /// Returns the boolean at `key` or `fallback`.
  bool get_bool(std::string_view key, bool fallback);

  /// Returns a positive duration in milliseconds at `key` or `fallback`.
  millis get_interval(std::string_view key, millis fallback);

  /// Returns the string at `key` (or `fallback`), which must be one of
  /// `allowed`.
  std::string get_choice(std::string_view key, std::string fallback,
                         const std::set<std::string>& allowed);

  /// Returns the sub-table at `key`, or nullptr when absent.
  const toml::table* get_table(std::string_view key);

  /// Returns the array at `key`, or nullptr when absent.
  const toml::array* get_array(std::string_view key);

  /// Throws a config_error at `node`'s position.
  [[noreturn]] void fail(const toml::node& node,
                         const std::string& reason) const;

  /// Throws a config_error at the position of `key`'s value (or the table).
  [[noreturn]] void fail_at(std::string_view key,
                            const std::string& reason) const;

  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  const toml::node* lookup(std::string_view key);
  std::string name_of(std::string_view key) const;

  const toml::table& table_;
  std::string where_;
  const std::string& file_;
  std::set<std::string> allowed_;
};

/// Throws a config_error at `region`'s start.
[[noreturn]] void fail_at_region(const std::string& file,
                                 const toml::source_region& region,
                                 const std::string& reason);

/// Returns the TOML type name of `node` for messages ("string", "integer").
std::string type_name(const toml::node& node);

} // namespace troupe::config::detail
