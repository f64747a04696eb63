// The bank's final check: one snapshot of every balance and journal.
#include <charconv>
#include <thread>
#include <unordered_map>

#include "bank_layout.hpp"
#include "troupe/actors/errc.hpp"

namespace troupe::workloads::detail {

caf::error in_parallel(std::uint32_t threads,
                       const std::function<caf::error(std::uint32_t)>& fn) {
  std::vector<caf::error> errors(threads);
  std::vector<std::thread> workers;
  for (std::uint32_t w = 0; w < threads; ++w)
    workers.emplace_back([&, w] { errors[w] = fn(w); });
  for (auto& t : workers)
    t.join();
  for (auto& err : errors)
    if (err) return err;
  return {};
}

bool parse_amount(const std::string& text, std::int64_t& out) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc{} && end == last && first != last;
}

namespace {

/// Every account's balance and journal (transfer id -> amount).
struct snapshot {
  std::vector<std::int64_t> balance;
  std::vector<std::unordered_map<std::string, std::int64_t>> journal;
};

caf::error corrupt(const std::string& what) {
  return actors::make_error(actors::errc::corrupt, "bank check: " + what);
}

/// Reads the balance and journal of accounts [first, last) in one
/// transaction (each account with its journal at one snapshot).
caf::error read_accounts(client::transaction& t, const bank_layout& layout,
                         std::uint32_t first, std::uint32_t last,
                         snapshot& out) {
  for (auto i = first; i < last; ++i) {
    auto v = t.get(layout.account(i));
    if (!v) return v.error();
    if (!*v || !parse_amount(**v, out.balance[i]))
      return corrupt("account " + std::to_string(i) + " is missing or bad");
    auto prefix = layout.journal_prefix(i);
    auto rows = t.scan(prefix);
    if (!rows) return rows.error();
    out.journal[i].clear();
    for (const auto& kv : *rows) {
      std::int64_t amount = 0;
      if (!parse_amount(kv.value, amount))
        return corrupt("journal entry " + kv.key + " is bad");
      out.journal[i].emplace(kv.key.substr(prefix.size()), amount);
    }
  }
  return {};
}

/// The check runs after failures too: transactions a crashed node left in
/// doubt block its reads until recovery resolves them (seconds after the
/// node returns), so it retries for up to about half a minute.
client::run_options patient() {
  client::run_options o;
  o.retry = config::retry_policy{30, std::chrono::milliseconds{100}, 2.0,
                                 std::chrono::milliseconds{1000}};
  return o;
}

/// Reads every account and journal, `threads` ranges of accounts in
/// parallel (after the run nothing moves, so the ranges agree), and the
/// total once more in one snapshot.
caf::error read_all(client::client& c, const bank_layout& layout, snapshot& out,
                    std::int64_t& total_in_one_read) {
  out.balance.assign(layout.accounts, 0);
  out.journal.assign(layout.accounts, {});
  constexpr std::uint32_t threads = 16;
  auto per = (layout.accounts + threads - 1) / threads;
  auto read_range = [&](std::uint32_t w) -> caf::error {
    auto first = std::min(layout.accounts, w * per);
    auto last = std::min(layout.accounts, first + per);
    auto done = c.run(
      [&](client::transaction& t) {
        return read_accounts(t, layout, first, last, out);
      },
      patient());
    return done ? caf::error{} : std::move(done.error());
  };
  if (auto err = in_parallel(threads, read_range)) return err;
  auto done = c.run(
    [&](client::transaction& t) -> caf::error {
      auto rows = t.scan(layout.accounts_prefix());
      if (!rows) return rows.error();
      total_in_one_read = 0;
      for (const auto& kv : *rows) {
        std::int64_t v = 0;
        if (!parse_amount(kv.value, v)) return corrupt(kv.key + " is bad");
        total_in_one_read += v;
      }
      return {};
    },
    patient());
  return done ? caf::error{} : std::move(done.error());
}

} // namespace

void check_bank(client::client& c, const bank_layout& layout,
                const bank_options& opts,
                const std::vector<transfer_record>& records, bank_report& r) {
  snapshot snap;
  std::int64_t one_read = 0;
  if (auto err = read_all(c, layout, snap, one_read)) {
    r.check_error = actors::describe(err);
    return;
  }
  r.final_total = 0;
  for (std::uint32_t i = 0; i < layout.accounts; ++i) {
    r.final_total += snap.balance[i];
    std::int64_t moved = 0;
    for (const auto& [id, amount] : snap.journal[i])
      moved += amount;
    if (snap.balance[i] != opts.initial_balance + moved) ++r.balance_mismatches;
    if (snap.balance[i] < 0) ++r.negative;
  }
  r.total_ok =
    r.final_total == r.expected_total && one_read == r.expected_total;
  using outcome = transfer_record::outcome;
  for (const auto& rec : records) {
    auto in_from = snap.journal[rec.from].count(rec.id) != 0;
    auto in_to = snap.journal[rec.to].count(rec.id) != 0;
    if (in_from != in_to) ++r.torn;
    switch (rec.result) {
    case outcome::ok:
      if (!in_from || !in_to) ++r.acked_missing;
      break;
    case outcome::failed:
      if (in_from || in_to) ++r.failed_present;
      break;
    case outcome::unknown:
      if (in_from && in_to) ++r.unknown_committed;
      break;
    }
  }
  r.journals_ok = r.acked_missing == 0 && r.failed_present == 0 &&
                  r.torn == 0 && r.balance_mismatches == 0 && r.negative == 0;
}

} // namespace troupe::workloads::detail
