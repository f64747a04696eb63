// One client transaction: remote snapshot reads, local write buffer, and a
// commit that carries the writes (one round trip instead of one per write).
#include "client_impl.hpp"

#include <iterator>

#include <caf/send.hpp>

#include "troupe/actors/blocking_call.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/write_buffer.hpp"

namespace troupe::client {

using namespace actors;

transaction::impl::impl(std::shared_ptr<client::impl> c,
                        std::unique_ptr<caf::scoped_actor> a,
                        txn_service_actor svc, txn_started s)
  : owner(std::move(c)), actor(std::move(a)), service(std::move(svc)),
    started(std::move(s)) {}

transaction::impl::~impl() {
  if (actor && all_answered) owner->give_back(std::move(actor));
}

void transaction::impl::answered(const caf::error& err) {
  if (err && unanswered(err)) all_answered = false;
}

template <class OnValue, class Request>
caf::error transaction::impl::call(OnValue on_value, Request req,
                                   std::optional<caf::timespan> timeout) {
  auto err =
    actors::call(*actor, service, timeout.value_or(owner->timeout),
                 std::move(on_value), txn_ref{started.txn}, std::move(req));
  answered(err);
  return err;
}

transaction::transaction(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
transaction::transaction(transaction&&) noexcept = default;
transaction& transaction::operator=(transaction&&) noexcept = default;

transaction::~transaction() {
  // Fire and forget: the coordinator's idle timeout ends it if this is lost.
  if (impl_ && impl_->state == impl::phase::active)
    caf::anon_send(impl_->service, txn_ref{impl_->started.txn}, txn_abort{});
}

txn_id transaction::id() const noexcept {
  return impl_->started.txn;
}

timestamp transaction::start_ts() const noexcept {
  return impl_->started.start_ts;
}

namespace {

caf::error not_active(txn_id id) {
  return make_error(errc::invalid_argument, "transaction " +
                                              std::to_string(id) +
                                              " is no longer active");
}

} // namespace

caf::expected<std::optional<std::string>>
transaction::get(const std::string& key) {
  auto& d = *impl_;
  if (d.state != impl::phase::active) return not_active(d.started.txn);
  if (auto i = d.writes.find(key); i != d.writes.end()) return i->second;
  if (auto i = d.prefetched.find(key); i != d.prefetched.end())
    return i->second;
  std::optional<std::string> out;
  if (auto err =
        d.call([&](read_reply& r) { out = std::move(r.value); }, txn_get{key}))
    return err;
  return out;
}

caf::expected<std::vector<std::optional<std::string>>>
transaction::get_many(const std::vector<std::string>& keys) {
  auto& d = *impl_;
  if (d.state != impl::phase::active) return not_active(d.started.txn);
  std::vector<std::optional<std::string>> out(keys.size());
  txn_get_many req;
  std::vector<std::size_t> remote; // index in `keys` of each req key
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (auto own = d.writes.find(keys[i]); own != d.writes.end()) {
      out[i] = own->second;
    } else if (auto pre = d.prefetched.find(keys[i]);
               pre != d.prefetched.end()) {
      out[i] = pre->second;
    } else {
      req.keys.push_back(keys[i]);
      remote.push_back(i);
    }
  }
  // As many requests as the keys need messages (all at one snapshot).
  const auto& lim = d.owner->cluster.limits;
  for (std::size_t from = 0; from < req.keys.size();) {
    auto to = lim.keys_that_fit(req.keys, from);
    txn_get_many part;
    part.keys.assign(req.keys.begin() + static_cast<std::ptrdiff_t>(from),
                     req.keys.begin() + static_cast<std::ptrdiff_t>(to));
    if (auto err = d.call(
          [&](txn_values& v) {
            for (std::size_t j = 0; from + j < to && j < v.values.size(); ++j)
              out[remote[from + j]] = std::move(v.values[j].value);
          },
          std::move(part)))
      return err;
    from = to;
  }
  return out;
}

caf::expected<std::vector<key_value>>
transaction::scan(const std::string& prefix, std::uint32_t limit) {
  auto& d = *impl_;
  if (d.state != impl::phase::active) return not_active(d.started.txn);
  // Own erases may remove up to this many rows of the answer: ask for more.
  std::uint32_t own = 0;
  for (auto i = d.writes.lower_bound(prefix);
       i != d.writes.end() && i->first.compare(0, prefix.size(), prefix) == 0;
       ++i)
    ++own;
  // Page by page (each answer fits a network message), each after the
  // last, until the prefix or the limit ends.
  std::vector<key_value> out;
  txn_scan req{prefix, 0, {}, 0};
  for (bool more = true; more;) {
    if (limit != 0)
      req.limit = limit + own - static_cast<std::uint32_t>(out.size());
    bool stuck = false;
    if (auto err = d.call(
          [&](scan_reply& r) {
            if (out.empty())
              out = std::move(r.rows);
            else
              std::move(r.rows.begin(), r.rows.end(), std::back_inserter(out));
            more = r.truncated && (limit == 0 || out.size() < limit + own);
            stuck = more && r.resume <= req.after;
            req.after = std::move(r.resume);
          },
          req))
      return err;
    if (stuck)
      return make_error(errc::corrupt,
                        "scan of '" + prefix +
                          "': a page did not move past the previous one");
  }
  if (own == 0) {
    if (limit != 0 && out.size() > limit) out.resize(limit);
    return out;
  }
  return std::move(
    overlay_writes(std::move(out), d.writes, prefix, {}, limit).rows);
}

caf::error transaction::impl::buffer(std::string key,
                                     std::optional<std::string> value) {
  if (state != phase::active) return not_active(started.txn);
  const auto& lim = owner->cluster.limits;
  if (auto err =
        check_write(key, value, lim.max_key_bytes, lim.max_value_bytes))
    return err;
  writes[std::move(key)] = std::move(value);
  return {};
}

caf::error transaction::put(std::string key, std::string value) {
  return impl_->buffer(std::move(key), std::move(value));
}

caf::error transaction::erase(std::string key) {
  return impl_->buffer(std::move(key), std::nullopt);
}

caf::expected<txn_committed> transaction::commit() {
  auto& d = *impl_;
  if (d.state != impl::phase::active) return not_active(d.started.txn);
  // The writes go in one message: one the nodes would refuse (and drop the
  // connection for) is an error here, with nothing sent; the transaction
  // stays active, so it can still be aborted.
  const auto& lim = d.owner->cluster.limits;
  std::uint64_t bytes = lim.message_overhead_bytes;
  for (const auto& [k, v] : d.writes)
    bytes += lim.row_bytes(k.size(), v ? v->size() : 0);
  if (bytes > lim.max_message_bytes)
    return make_error(errc::too_large,
                      "the writes of transaction " +
                        std::to_string(d.started.txn) + " need about " +
                        std::to_string(bytes) +
                        " bytes in one message, more than "
                        "limits.max_message_bytes (" +
                        std::to_string(lim.max_message_bytes) +
                        "): split them over several transactions");
  txn_commit req;
  req.writes.reserve(d.writes.size());
  for (auto& [k, v] : d.writes)
    req.writes.push_back({k, std::move(v)});
  d.writes.clear();
  // Whatever the answer, the coordinator has ended (or will end) the
  // transaction: never send it anything again (a request to an ended
  // remote actor may wait for its whole timeout in CAF 0.17).
  d.state = impl::phase::over;
  // The coordinator may wait `timeouts.prepare` for votes (and, with 3PC,
  // as long again for the PreCommit acks) before it answers; give it that
  // on top of the request timeout.
  auto prepare = d.owner->cluster.timeouts.prepare;
  auto timeout = d.owner->timeout + (d.three_phase ? 2 * prepare : prepare);
  txn_committed out;
  auto err =
    d.call([&](txn_committed& c) { out = c; }, std::move(req), timeout);
  if (!err) {
    d.state = impl::phase::committed;
    return out;
  }
  if (unanswered(err))
    return make_error(errc::outcome_unknown,
                      "commit of transaction " + std::to_string(d.started.txn) +
                        " got no answer (" + describe(err, false) +
                        "): it may or may not have committed");
  return err;
}

caf::error transaction::abort() {
  auto& d = *impl_;
  if (d.state == impl::phase::committed)
    return make_error(errc::invalid_argument, "transaction " +
                                                std::to_string(d.started.txn) +
                                                " has committed");
  if (d.state != impl::phase::active) return {};
  d.state = impl::phase::aborted;
  d.writes.clear();
  // The abort's answer is not awaited: it always succeeds, and if it is
  // lost the coordinator's idle timeout aborts the transaction.
  caf::anon_send(d.service, txn_ref{d.started.txn}, txn_abort{});
  return {};
}

} // namespace troupe::client
