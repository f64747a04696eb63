#include "troupe/actors/errc.hpp"

#include <caf/sec.hpp>

namespace troupe::actors {

retry_class retry_class_of(errc code) noexcept {
  switch (code) {
  case errc::unavailable:
  case errc::timeout:
  case errc::overloaded:
    return retry_class::retry_call;
  case errc::write_conflict:
  case errc::locked:
  case errc::aborted:
    return retry_class::retry_transaction;
  default:
    return retry_class::do_not_retry;
  }
}

retry_class retry_class_of(const caf::error& err) noexcept {
  if (!err) return retry_class::do_not_retry;
  if (err.category() == errc_category)
    return retry_class_of(static_cast<errc>(err.code()));
  if (err.category() == caf::atom("system")) {
    switch (static_cast<caf::sec>(err.code())) {
    case caf::sec::request_timeout:
    case caf::sec::cannot_connect_to_node:
    case caf::sec::no_route_to_receiving_node:
    case caf::sec::request_receiver_down:
      return retry_class::retry_call;
    default:
      break;
    }
  }
  return retry_class::do_not_retry;
}

const char* to_string(errc code) noexcept {
  switch (code) {
  case errc::unavailable:
    return "unavailable";
  case errc::timeout:
    return "timeout";
  case errc::overloaded:
    return "overloaded";
  case errc::write_conflict:
    return "write_conflict";
  case errc::locked:
    return "locked";
  case errc::aborted:
    return "aborted";
  case errc::not_found:
    return "not_found";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::too_large:
    return "too_large";
  case errc::corrupt:
    return "corrupt";
  case errc::outcome_unknown:
    return "outcome_unknown";
  case errc::internal:
    return "internal";
  }
  return "unknown";
}

const char* to_string(retry_class rc) noexcept {
  switch (rc) {
  case retry_class::retry_call:
    return "retry_call";
  case retry_class::retry_transaction:
    return "retry_transaction";
  case retry_class::do_not_retry:
    return "do_not_retry";
  }
  return "unknown";
}

caf::error make_error(errc code, std::string reason) {
  return caf::error{static_cast<std::uint8_t>(code), errc_category,
                    caf::make_message(std::move(reason))};
}

std::string describe(const caf::error& err, bool with_retry_class) {
  if (!err) return "no error";
  std::string reason;
  const auto& ctx = err.context();
  for (std::size_t i = 0; i < ctx.size(); ++i) {
    if (!reason.empty()) reason += ", ";
    reason += ctx.match_element<std::string>(i) ? ctx.get_as<std::string>(i)
                                                : ctx.stringify(i);
  }
  std::string head;
  if (err.category() == errc_category)
    head = to_string(static_cast<errc>(err.code()));
  else if (err.category() == caf::atom("system"))
    head = caf::to_string(static_cast<caf::sec>(err.code()));
  else
    head = caf::to_string(err);
  if (!reason.empty()) head += ": " + reason;
  if (!with_retry_class) return head;
  return head + " (" + to_string(retry_class_of(err)) + ")";
}

bool is(const caf::error& err, errc code) noexcept {
  return err.category() == errc_category &&
         err.code() == static_cast<std::uint8_t>(code);
}

} // namespace troupe::actors
