#include "troupe/coordinator/decision_log.hpp"

#include "troupe/actors/errc.hpp"

namespace troupe::coordinator {

namespace {

const std::string prefix = "txn/decision/";

void put_be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_be(const std::string& in, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<unsigned char>(in[pos + i]);
  return v;
}

std::string key_of(actors::txn_id txn) {
  auto k = prefix;
  put_be(k, txn, 8);
  return k;
}

/// Value: start ts (8 bytes), commit ts (8), then 4 bytes per shard.
std::string encode(const decision& d) {
  std::string out;
  put_be(out, d.start_ts, 8);
  put_be(out, d.commit_ts, 8);
  for (auto s : d.shards)
    put_be(out, s, 4);
  return out;
}

caf::expected<decision> decode(const std::string& key,
                               const std::string& value) {
  if (key.size() != prefix.size() + 8 || value.size() < 16 ||
      (value.size() - 16) % 4 != 0)
    return actors::make_error(actors::errc::corrupt,
                              "malformed decision record");
  decision d;
  d.txn = get_be(key, prefix.size(), 8);
  d.start_ts = get_be(value, 0, 8);
  d.commit_ts = get_be(value, 8, 8);
  for (std::size_t pos = 16; pos < value.size(); pos += 4)
    d.shards.push_back(static_cast<actors::shard_id>(get_be(value, pos, 4)));
  return d;
}

} // namespace

decision_log::decision_log(mvcc::store& db) : db_(&db) {}

void decision_log::record_async(const decision& d, mvcc::completion done) {
  db_->put_meta_async(key_of(d.txn), encode(d), std::move(done));
}

void decision_log::erase_async(actors::txn_id txn, mvcc::completion done) {
  db_->erase_meta_async(key_of(txn), std::move(done));
}

caf::expected<std::vector<decision>> decision_log::list() const {
  auto rows = db_->list_meta(prefix);
  if (!rows)
    return actors::make_error(actors::errc::unavailable,
                              "list decisions: " + rows.error().message);
  std::vector<decision> out;
  for (const auto& kv : *rows) {
    auto d = decode(kv.key, kv.value);
    if (!d) return std::move(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

caf::expected<std::optional<decision>>
decision_log::find(actors::txn_id txn) const {
  auto key = key_of(txn);
  auto r = db_->get_meta(key);
  if (!r)
    return actors::make_error(actors::errc::unavailable,
                              "read decision: " + r.error().message);
  if (!*r) return std::optional<decision>{};
  auto d = decode(key, **r);
  if (!d) return std::move(d.error());
  return std::optional<decision>{std::move(*d)};
}

} // namespace troupe::coordinator
