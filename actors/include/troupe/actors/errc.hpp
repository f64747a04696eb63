#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace troupe::actors {

/// What a client should do after an error.
enum class retry_class : std::uint8_t {
  retry_call,        ///< transient: send the same request again (with backoff)
  retry_transaction, ///< the transaction lost a race: run it again from begin
  do_not_retry,      ///< retrying cannot help: fix the request or give up
};

/// Every error troupe returns to a client or another actor. Values travel in
/// `caf::error` with category "troupe" (see `make_error`).
enum class errc : std::uint8_t {
  unavailable = 1, ///< the owning node is down or unreachable (retry_call)
  timeout,         ///< no answer in time; the request may have run (retry_call)
  overloaded,      ///< the node shed load (retry_call)
  write_conflict,  ///< a newer committed version exists (retry_transaction)
  locked,          ///< another transaction holds an intent (retry_transaction)
  aborted,         ///< the transaction was aborted (retry_transaction)
  not_found,       ///< no such key, actor or transaction (do_not_retry)
  invalid_argument, ///< malformed request (do_not_retry)
  too_large,        ///< key, value or message above its limit (do_not_retry)
  corrupt,          ///< a stored or received record failed to decode
                    ///< (do_not_retry)
  outcome_unknown,  ///< a commit may or may not have happened: read before
                    ///< retrying (do_not_retry)
  internal,         ///< a bug (do_not_retry)
};

/// Returns the retry class of `code` (documented on each code above).
[[nodiscard]] retry_class retry_class_of(errc code) noexcept;

/// Returns the retry class of any error: troupe codes by their class, CAF's
/// connection and timeout errors as retry_call, everything else
/// do_not_retry.
[[nodiscard]] retry_class retry_class_of(const caf::error& err) noexcept;

/// Returns "unavailable", "write_conflict", ...
[[nodiscard]] const char* to_string(errc code) noexcept;
[[nodiscard]] const char* to_string(retry_class rc) noexcept;

/// The error category of troupe codes in `caf::error`.
constexpr caf::atom_value errc_category = caf::atom("troupe");

/// Returns a `caf::error` carrying `code` and a human-readable `reason`.
[[nodiscard]] caf::error make_error(errc code, std::string reason);

/// Returns a one-line description for people: "unavailable: <reason>
/// (retry_call)" for troupe codes, the CAF code name and context otherwise;
/// the retry class only when `with_retry_class`.
[[nodiscard]] std::string describe(const caf::error& err,
                                   bool with_retry_class = true);

/// Returns true when `err` carries `code`.
[[nodiscard]] bool is(const caf::error& err, errc code) noexcept;

} // namespace troupe::actors

CAF_ERROR_CODE_ENUM(troupe::actors::errc, "troupe")
