#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace troupe::ring {

/// Why a ring operation was refused. None of these is worth retrying with the
/// same input: each means the caller asked for something invalid.
enum class errc : std::uint8_t {
  invalid_argument = 1, ///< empty name, weight or count out of range, ...
  duplicate_node,       ///< a node with that name is already a member
  unknown_node,         ///< no member has that name
  last_node,            ///< the change would leave the ring without nodes
  too_many_points,      ///< nodes x weight x vnodes exceeds `max_points`
};

/// Returns the enumerator's name, e.g. "duplicate_node".
[[nodiscard]] const char* to_string(errc code) noexcept;

/// An error as a value: a code for programs, a sentence for people.
struct error {
  errc code;
  std::string message;
};

/// Either a `T` or an `error` (std::expected is C++23). Accessing the side
/// that is not held is a contract violation (asserted in debug builds).
template <class T>
class result {
 public:
  result(T value) : state_(std::move(value)) {}
  result(::troupe::ring::error err) : state_(std::move(err)) {}

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    assert(has_value());
    return *std::get_if<0>(&state_);
  }
  [[nodiscard]] const T& value() const& {
    assert(has_value());
    return *std::get_if<0>(&state_);
  }
  [[nodiscard]] T&& value() && {
    assert(has_value());
    return std::move(*std::get_if<0>(&state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  [[nodiscard]] const ::troupe::ring::error& error() const {
    assert(!has_value());
    return *std::get_if<1>(&state_);
  }

 private:
  std::variant<T, ::troupe::ring::error> state_;
};

} // namespace troupe::ring
