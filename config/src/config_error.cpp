#include "troupe/config/config_error.hpp"

#include <utility>

namespace troupe::config {

namespace {

std::string format_message(const std::string& file, std::uint32_t line,
                           std::uint32_t column, const std::string& reason) {
  if (line == 0) return file + ": " + reason;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) +
         ": " + reason;
}

} // namespace

config_error::config_error(std::string file, std::uint32_t line,
                           std::uint32_t column, std::string reason)
  : std::runtime_error(format_message(file, line, column, reason)),
    file_(std::move(file)), line_(line), column_(column),
    reason_(std::move(reason)) {}

} // namespace troupe::config
