// The bank run: setup, transfer threads, audits, figures.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include <sys/resource.h>

#include "bank_layout.hpp"
#include "troupe/actors/errc.hpp"

namespace troupe::workloads {

using namespace detail;
using actors::errc;
using actors::make_error;
using clock_type = std::chrono::steady_clock;

namespace {

/// User + system CPU time of this process so far, in seconds.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return s(u.ru_utime) + s(u.ru_stime);
}

/// Counters shared by the transfer threads (read by ticks while running).
struct shared_counts {
  std::atomic<std::uint64_t> committed{0}, aborted{0}, unknown{0}, one_phase{0},
    insufficient{0}, begin_failures{0}, audits{0}, audit_failures{0},
    audit_errors{0};
};

/// What one transfer thread keeps.
struct worker_log {
  std::vector<transfer_record> records;
  std::vector<double> latencies_ms; ///< committed transfers
  std::vector<double> finished_s;   ///< when each one finished (run time)
  std::map<std::string, std::uint64_t> reasons;
};

std::string reason_of(const caf::error& err) {
  if (err.category() == actors::errc_category)
    return actors::to_string(static_cast<errc>(err.code()));
  return caf::to_string(err);
}

caf::error validate(const bank_options& o) {
  auto bad = [](const std::string& why) {
    return make_error(errc::invalid_argument, "bank: " + why);
  };
  if (o.accounts < 2) return bad("needs at least 2 accounts");
  if (o.clients == 0) return bad("needs at least 1 client");
  if (o.initial_balance <= 0 || o.max_amount <= 0)
    return bad("balances and amounts must be positive");
  if (o.prefix.find_first_of("{}/") != std::string::npos)
    return bad("prefix '" + o.prefix + "' holds '{', '}' or '/'");
  return {};
}

/// Creates the accounts in batches of 64, from 8 threads at once.
caf::error create_accounts(client::client& c, const bank_layout& layout,
                           const bank_options& o) {
  constexpr std::uint32_t batch = 64;
  constexpr std::uint32_t threads = 8;
  return in_parallel(threads, [&](std::uint32_t w) -> caf::error {
    for (auto first = w * batch; first < o.accounts; first += threads * batch) {
      auto last = std::min(o.accounts, first + batch);
      auto done = c.run([&](client::transaction& t) -> caf::error {
        for (auto i = first; i < last; ++i)
          if (auto err =
                t.put(layout.account(i), std::to_string(o.initial_balance)))
            return err;
        return {};
      });
      if (!done) return std::move(done.error());
    }
    return {};
  });
}

/// Picks (from, to): on different shards (cross-shard, when the cluster
/// has more than one) or inside one group of four (single-shard).
class pair_picker {
 public:
  pair_picker(const bank_layout& layout, std::uint32_t shards)
    : layout_(layout) {
    for (std::uint32_t i = 0; i < layout.accounts; ++i)
      shard_.push_back(layout.shard(i, shards));
  }

  std::pair<std::uint32_t, std::uint32_t> pick(std::mt19937_64& rng) const {
    auto n = layout_.accounts;
    std::uniform_int_distribution<std::uint32_t> any{0, n - 1};
    if (!layout_.cross_shard) {
      // Groups of four; a last group of one borrows the group before.
      auto from = any(rng);
      auto base = std::min(from / 4 * 4, n - 2);
      auto size = std::min<std::uint32_t>(4, n - base);
      std::uniform_int_distribution<std::uint32_t> in{0, size - 1};
      from = base + in(rng);
      auto to = from;
      while (to == from)
        to = base + in(rng);
      return {from, to};
    }
    auto from = any(rng);
    for (int tries = 0; tries < 64; ++tries) {
      auto to = any(rng);
      if (to != from && shard_[to] != shard_[from]) return {from, to};
    }
    auto to = (from + 1) % n; // one shard only: any other account
    return {from, to};
  }

 private:
  const bank_layout& layout_;
  std::vector<std::uint32_t> shard_;
};

using outcome = transfer_record::outcome;

/// Runs one transfer attempt; records it when it got as far as a decision.
void transfer(client::client& c, const bank_layout& layout,
              const bank_options& o, std::uint32_t from, std::uint32_t to,
              std::int64_t amount, std::string id,
              clock_type::time_point run_began, shared_counts& counts,
              worker_log& log) {
  auto started = clock_type::now();
  // Begin next to the account that pays: its reads, prepare and commit stay
  // in the coordinator's process. Both balances come back with the begin.
  auto t = c.begin({o.isolation,
                    layout.account(from),
                    o.three_phase,
                    {layout.account(from), layout.account(to)}});
  if (!t) {
    ++counts.begin_failures;
    ++log.reasons["begin: " + reason_of(t.error())];
    return;
  }
  auto fail = [&](const caf::error& err) {
    static_cast<void>(t->abort()); // the error to count is `err`
    ++counts.aborted;
    ++log.reasons[reason_of(err)];
  };
  // Both balances, as prefetched with the begin.
  auto v = t->get_many({layout.account(from), layout.account(to)});
  if (!v) return fail(v.error());
  const auto& a = (*v)[0];
  const auto& b = (*v)[1];
  std::int64_t balance_a = 0, balance_b = 0;
  if (!a || !b || !parse_amount(*a, balance_a) || !parse_amount(*b, balance_b))
    return fail(make_error(errc::corrupt, "an account is missing or bad"));
  if (balance_a < amount) {
    static_cast<void>(t->abort()); // nothing to move
    ++counts.insufficient;
    return;
  }
  for (auto err :
       {t->put(layout.account(from), std::to_string(balance_a - amount)),
        t->put(layout.account(to), std::to_string(balance_b + amount)),
        t->put(layout.journal(from, id), "-" + std::to_string(amount)),
        t->put(layout.journal(to, id), "+" + std::to_string(amount))})
    if (err) return fail(err);
  auto done = t->commit();
  transfer_record rec{std::move(id), from, to, outcome::ok};
  if (done) {
    ++counts.committed;
    if (done->one_phase) ++counts.one_phase;
    auto now = clock_type::now();
    log.latencies_ms.push_back(
      std::chrono::duration<double, std::milli>(now - started).count());
    log.finished_s.push_back(
      std::chrono::duration<double>(now - run_began).count());
  } else if (actors::is(done.error(), errc::outcome_unknown)) {
    rec.result = outcome::unknown;
    ++counts.unknown;
    ++log.reasons["outcome_unknown"];
  } else {
    rec.result = outcome::failed;
    ++counts.aborted;
    ++log.reasons[reason_of(done.error())];
  }
  log.records.push_back(std::move(rec));
}

void audit_once(client::client& c, const bank_layout& layout,
                std::int64_t total, shared_counts& counts) {
  std::int64_t sum = 0;
  bool bad_value = false;
  auto done = c.run([&](client::transaction& t) -> caf::error {
    auto rows = t.scan(layout.accounts_prefix());
    if (!rows) return rows.error();
    sum = 0;
    for (const auto& kv : *rows) {
      std::int64_t v = 0;
      bad_value = bad_value || !parse_amount(kv.value, v);
      sum += v;
    }
    return {};
  });
  if (!done) {
    ++counts.audit_errors;
    return;
  }
  ++counts.audits;
  if (bad_value || sum != total) ++counts.audit_failures;
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto idx =
    static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

/// Groups the committed transfers by the second they finished in.
std::vector<bank_second> per_second(const std::vector<worker_log>& logs,
                                    double seconds) {
  std::vector<std::vector<double>> by_second(
    static_cast<std::size_t>(std::max(std::ceil(seconds), 1.0)));
  for (const auto& log : logs)
    for (std::size_t i = 0; i < log.latencies_ms.size(); ++i) {
      auto s = static_cast<std::size_t>(std::max(log.finished_s[i], 0.0));
      by_second[std::min(s, by_second.size() - 1)].push_back(
        log.latencies_ms[i]);
    }
  std::vector<bank_second> out;
  for (auto& l : by_second) {
    std::sort(l.begin(), l.end());
    out.push_back({l.size(), percentile(l, 0.50), percentile(l, 0.99)});
  }
  return out;
}

void fill_counts(const shared_counts& k, bank_report& r) {
  r.committed = k.committed;
  r.aborted = k.aborted;
  r.unknown = k.unknown;
  r.one_phase = k.one_phase;
  r.insufficient = k.insufficient;
  r.begin_failures = k.begin_failures;
  r.audits = k.audits;
  r.audit_failures = k.audit_failures;
  r.audit_errors = k.audit_errors;
}

} // namespace

caf::expected<bank_report>
run_bank(client::client& c, bank_options o,
         const std::function<void(const bank_report&)>& on_tick) {
  if (auto err = validate(o)) return err;
  if (o.prefix.empty())
    o.prefix = "bank-" + std::to_string(o.seed) + "-" +
               std::to_string(
                 std::chrono::system_clock::now().time_since_epoch().count());
  bank_layout layout{o.prefix, o.cross_shard, o.accounts};
  if (auto err = create_accounts(c, layout, o)) return err;
  bank_report report;
  report.prefix = o.prefix;
  report.expected_total = o.initial_balance * o.accounts;
  pair_picker picker{layout, c.cluster().shards};
  shared_counts counts;
  std::vector<worker_log> logs(o.clients);
  std::atomic<bool> stop{false};
  auto begin = clock_type::now();
  auto deadline = begin + o.duration;
  report.window_start_unix_ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch())
      .count();
  auto cpu_at_begin = process_cpu_seconds();
  std::vector<std::thread> threads;
  for (std::uint32_t w = 0; w < o.clients; ++w)
    threads.emplace_back([&, w] {
      std::mt19937_64 rng{o.seed * 1000003 + w};
      std::uniform_int_distribution<std::int64_t> amount{1, o.max_amount};
      for (std::uint64_t seq = 0; clock_type::now() < deadline; ++seq) {
        auto [from, to] = picker.pick(rng);
        transfer(c, layout, o, from, to, amount(rng),
                 std::to_string(w) + "-" + std::to_string(seq), begin, counts,
                 logs[w]);
      }
    });
  std::thread auditor;
  if (o.audit_every.count() > 0)
    auditor = std::thread{[&] {
      while (!stop.load()) {
        auto next = clock_type::now() + o.audit_every;
        audit_once(c, layout, report.expected_total, counts);
        while (!stop.load() && clock_type::now() < next)
          std::this_thread::sleep_for(std::chrono::milliseconds{20});
      }
    }};
  // Ticks from this thread while the transfer threads run.
  for (auto tick = begin + std::chrono::seconds{1}; tick < deadline;
       tick += std::chrono::seconds{1}) {
    std::this_thread::sleep_until(tick);
    if (!on_tick) continue;
    bank_report now;
    fill_counts(counts, now);
    now.seconds =
      std::chrono::duration<double>(clock_type::now() - begin).count();
    on_tick(now);
  }
  for (auto& t : threads)
    t.join();
  report.seconds =
    std::chrono::duration<double>(clock_type::now() - begin).count();
  report.client_cpu_s = process_cpu_seconds() - cpu_at_begin;
  stop = true;
  if (auditor.joinable()) auditor.join();
  fill_counts(counts, report);
  report.per_second = per_second(logs, report.seconds);
  std::vector<double> latencies;
  std::vector<transfer_record> records;
  for (auto& log : logs) {
    latencies.insert(latencies.end(), log.latencies_ms.begin(),
                     log.latencies_ms.end());
    std::move(log.records.begin(), log.records.end(),
              std::back_inserter(records));
    for (auto& [why, n] : log.reasons)
      report.aborts_by_reason[why] += n;
  }
  std::sort(latencies.begin(), latencies.end());
  report.p50_ms = percentile(latencies, 0.50);
  report.p99_ms = percentile(latencies, 0.99);
  report.max_ms = latencies.empty() ? 0 : latencies.back();
  report.transfers_per_s =
    report.seconds > 0 ? static_cast<double>(report.committed) / report.seconds
                       : 0;
  report.failovers = c.failovers();
  check_bank(c, layout, o, records, report);
  return report;
}

} // namespace troupe::workloads
