#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace troupe::failpoints {

/// Why a fail-point configuration was refused; `ok()` when it was accepted.
class [[nodiscard]] status {
 public:
  /// Accepted.
  status() = default;

  /// Refused for `reason` (must not be empty).
  [[nodiscard]] static status fail(std::string reason) {
    status s;
    s.reason_ = std::move(reason);
    return s;
  }

  [[nodiscard]] bool ok() const noexcept { return reason_.empty(); }
  explicit operator bool() const noexcept { return ok(); }
  /// Empty when `ok()`; otherwise names the offending text and the rule.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

/// What a fail point does when it fires.
enum class action : std::uint8_t {
  off,   ///< nothing; the hits are still counted
  crash, ///< one line on stderr, then `std::_Exit(crash_exit_code)`
  error, ///< the site sees `true` and returns its own typed error
  delay, ///< the site's thread sleeps `delay_ms`, then goes on normally
};

/// Exit status of a process ended by a `crash` fail point, so that a test
/// can tell a planned crash from a real one.
constexpr int crash_exit_code = 86;

/// Longest accepted `delay(MS)`: one hour.
constexpr std::uint32_t max_delay_ms = 3'600'000;

/// An action and its modifiers, as written `ACTION[@MOD,MOD...]`
/// (grammar: docs/failpoints.md).
struct spec {
  action what = action::off;
  std::uint32_t delay_ms = 0; ///< only for `action::delay`
  double probability = 1.0;   ///< `p=`: in (0, 1]
  std::uint64_t after = 0;    ///< `after=`: hits 1..after never fire
  std::uint64_t times = 0;    ///< `times=`: fire at most this often; 0: no cap
};

/// One `NAME=SPEC` entry of a configuration string.
using config_entry = std::pair<std::string, spec>;

/// True when `name` is one or more non-empty words of `[a-z0-9_]` joined by
/// single dots, at most 128 characters: `shard.after_prepare_durable`.
[[nodiscard]] constexpr bool is_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 128) return false;
  bool word_start = true;
  for (char c : name) {
    if (c == '.') {
      if (word_start) return false;
      word_start = true;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
    word_start = false;
  }
  return !word_start;
}

/// Parses one spec such as `crash`, `error@p=0.5` or `delay(20)@after=3`.
/// Surrounding blanks are ignored. On failure `out` is unchanged and the
/// reason quotes `text` and names the broken rule (unknown action, bad or
/// out-of-range number, unknown or repeated modifier, modifier on `off`).
status parse_spec(std::string_view text, spec& out);

/// Parses `NAME=SPEC;NAME=SPEC...` (the `TROUPE_FAILPOINTS` format). Empty
/// entries and blanks around names and specs are ignored. All or nothing:
/// on failure `out` is unchanged and the reason names the entry (missing
/// `=`, invalid name, a name given twice, or the spec's own reason).
status parse_config(std::string_view text, std::vector<config_entry>& out);

/// The canonical text of `s`; `parse_spec(to_string(s))` gives back `s`.
[[nodiscard]] std::string to_string(const spec& s);

} // namespace troupe::failpoints
