#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

#include "troupe/actors/participant_messages.hpp"
#include "troupe/actors/transaction_messages.hpp"
#include "troupe/client/client.hpp"
#include "troupe/config/cluster_config.hpp"

namespace troupe::app {

/// One statement of `troupe txn`: `get KEY`, `put KEY VALUE` or `del KEY`.
struct statement {
  enum class op { get, put, del };
  op kind = op::get;
  std::string key;
  std::string value; ///< put only
};

/// Why a statement list does not parse: the 1-based statement number, the
/// 1-based column where it starts in the text, and the reason.
struct statement_error {
  std::size_t number = 0;
  std::size_t column = 0;
  std::string reason;
};

/// Parses "put a 1; put b 2; get c; del d": statements separated by `;`,
/// words by blanks (keys and values contain neither); empty statements are
/// skipped, an empty list is an error.
[[nodiscard]] std::variant<std::vector<statement>, statement_error>
parse_statements(std::string_view text);

/// What a committed transaction read and when it committed.
struct txn_outcome {
  /// Every `get` in order: key and value (nullopt: no such key).
  std::vector<std::pair<std::string, std::optional<std::string>>> reads;
  actors::txn_committed committed;
};

/// Runs `stmts` as one transaction through the C++ client
/// (client/client.hpp), which begins on the first node of `cluster` that
/// answers (config order). Writes travel with the commit. On an error before
/// the commit the transaction is aborted. Errors: unavailable naming every
/// node tried when none answers; otherwise the transaction's typed error
/// (retry class by `actors::retry_class_of`).
[[nodiscard]] caf::expected<txn_outcome>
run_transaction(const config::cluster_config& cluster,
                const std::vector<statement>& stmts,
                const client::txn_options& opts);

} // namespace troupe::app
