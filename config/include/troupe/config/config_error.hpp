#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace troupe::config {

/// A config file that cannot be used: where and why. `what()` reads
/// "FILE:LINE:COLUMN: reason" (or "FILE: reason" when there is no position,
/// e.g. a file that cannot be opened). Thrown only at start-up.
class config_error : public std::runtime_error {
 public:
  config_error(std::string file, std::uint32_t line, std::uint32_t column,
               std::string reason);

  [[nodiscard]] const std::string& file() const noexcept { return file_; }
  /// 1-based; 0 when the error has no position.
  [[nodiscard]] std::uint32_t line() const noexcept { return line_; }
  /// 1-based; 0 when the error has no position.
  [[nodiscard]] std::uint32_t column() const noexcept { return column_; }
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::string file_;
  std::uint32_t line_;
  std::uint32_t column_;
  std::string reason_;
};

} // namespace troupe::config
