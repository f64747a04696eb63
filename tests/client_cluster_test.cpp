// The C++ client (client/client.hpp) against 3 real `troupe node`
// processes: cross-shard commits read back, scans merge own writes,
// conflicts are typed, run() retries a lost race, and begin() fails over
// when a node dies.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <regex>

#include "cluster_harness.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/client/client.hpp"
#include "troupe/config/load.hpp"

using namespace std::chrono_literals;
using namespace troupe;
using actors::errc;
using troupe::test::local_cluster;
using troupe::test::wait_until;

namespace {

struct cluster_fixture {
  local_cluster nodes;
  config::cluster_config cfg;
  std::optional<client::client> c;

  explicit cluster_fixture(
    const std::string& extra_toml = troupe::test::fast_timeouts_toml)
    : nodes{TROUPE_BIN, 3, extra_toml} {
    nodes.start_all();
    BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return nodes.all_up(); }),
                          "cluster did not come up: " << nodes.status().dump());
    cfg = config::load_file(nodes.config_path());
    auto connected = client::client::connect(cfg);
    BOOST_REQUIRE(connected);
    c.emplace(std::move(*connected));
  }

  /// The error of `x` for a failure message ("" when it holds a value).
  template <class T>
  static std::string why(const caf::expected<T>& x) {
    return x ? std::string{} : actors::describe(x.error());
  }

  /// Reads `key` in a fresh transaction ("<none>" when absent).
  std::string read(const std::string& key) {
    auto t = c->begin();
    BOOST_REQUIRE_MESSAGE(t, why(t));
    auto v = t->get(key);
    BOOST_REQUIRE_MESSAGE(v, why(v));
    return *v ? **v : "<none>";
  }
};

/// Messages of 16 KiB at most: a scan page is under 5 KB.
struct small_messages_fixture : cluster_fixture {
  small_messages_fixture()
    : cluster_fixture(troupe::test::fast_timeouts_toml + "[limits]\n"
                                                         "max_key_bytes = 256\n"
                                                         "max_value_bytes = "
                                                         "2048\n"
                                                         "max_message_bytes = "
                                                         "16384\n") {}
};

} // namespace

BOOST_FIXTURE_TEST_CASE(scans_larger_than_a_message_come_in_pages,
                        small_messages_fixture) {
  BOOST_REQUIRE_EQUAL(cfg.limits.max_message_bytes, 16384u);
  // 400 rows of about 110 bytes: 44 KB, nearly three messages' worth, all
  // on one shard (one hash tag), so that one shard's answer would be too.
  const std::string value(100, 'v');
  auto key = [](int i) {
    auto n = std::to_string(i);
    return "{big}/" + std::string(3 - n.size(), '0') + n;
  };
  for (int batch = 0; batch < 8; ++batch) {
    auto done = c->run([&](client::transaction& t) -> caf::error {
      for (int i = batch * 50; i < batch * 50 + 50; ++i)
        if (auto err = t.put(key(i), value)) return err;
      return {};
    });
    BOOST_REQUIRE_MESSAGE(done, why(done));
  }
  // Begins go round the nodes: coordinators on all three, so the shard's
  // pages reach a coordinator over every connection to its node.
  for (int round = 0; round < 3; ++round) {
    auto t = c->begin();
    BOOST_REQUIRE(t);
    BOOST_REQUIRE(!t->put("{big}/005x", "own")); // between stored rows
    auto rows = t->scan("{big}/");
    BOOST_REQUIRE_MESSAGE(rows, why(rows));
    BOOST_REQUIRE_EQUAL(rows->size(), 401u);
    BOOST_CHECK_EQUAL(rows->front().key, key(0));
    BOOST_CHECK_EQUAL((*rows)[6].key, "{big}/005x");
    BOOST_CHECK_EQUAL(rows->back().key, key(399));
    BOOST_CHECK(std::is_sorted(
      rows->begin(), rows->end(),
      [](const auto& a, const auto& b) { return a.key < b.key; }));
  }
  auto t = c->begin();
  BOOST_REQUIRE(t);
  auto limited = t->scan("{big}/", 250);
  BOOST_REQUIRE_MESSAGE(limited, why(limited));
  BOOST_REQUIRE_EQUAL(limited->size(), 250u);
  BOOST_CHECK_EQUAL(limited->back().key, key(249));

  // Writes that need more than one message: too_large before anything is
  // sent (a node would drop the connection), do_not_retry, and the
  // transaction can still be aborted.
  auto w = c->begin();
  BOOST_REQUIRE(w);
  for (int i = 0; i < 100; ++i)
    BOOST_REQUIRE(!w->put("wide/" + std::to_string(i), std::string(200, 'w')));
  auto big = w->commit();
  BOOST_REQUIRE(!big);
  BOOST_CHECK_MESSAGE(actors::is(big.error(), errc::too_large), why(big));
  BOOST_CHECK(actors::retry_class_of(big.error()) ==
              actors::retry_class::do_not_retry);
  BOOST_CHECK(!w->abort());
  BOOST_CHECK_EQUAL(read("wide/1"), "<none>");
  BOOST_CHECK_EQUAL(read(key(7)), value);
}

BOOST_FIXTURE_TEST_CASE(reads_of_more_keys_than_a_message_holds_split,
                        small_messages_fixture) {
  // 300 keys of ~110 bytes: one get_many request would be ~38 KB, more than
  // two messages (a node drops the connection of a larger frame), and so
  // would a begin that prefetches them. Their values together (300 KB)
  // would not fit one message either.
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i)
    keys.push_back("many/" + std::string(100, 'k') + std::to_string(i));
  auto value = [](int i) { return std::string(1000, char('a' + i % 26)); };
  for (int batch = 0; batch < 30; ++batch) {
    auto done = c->run([&](client::transaction& t) -> caf::error {
      for (int i = batch * 10; i < batch * 10 + 10; ++i)
        if (auto err = t.put(keys[i], value(i))) return err;
      return {};
    });
    BOOST_REQUIRE_MESSAGE(done, why(done));
  }
  auto check = [&](const std::vector<std::optional<std::string>>& got) {
    BOOST_REQUIRE_EQUAL(got.size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
      BOOST_CHECK_MESSAGE(got[i] == std::optional<std::string>{value(i)},
                          keys[i]);
  };
  // Round the nodes, as in the scan test; a missing key stays missing.
  for (int round = 0; round < 3; ++round) {
    auto t = c->begin();
    BOOST_REQUIRE_MESSAGE(t, why(t));
    auto one_more = keys;
    one_more.push_back("many/missing");
    auto got = t->get_many(one_more);
    BOOST_REQUIRE_MESSAGE(got, why(got));
    BOOST_CHECK(!got->back());
    got->pop_back();
    check(*got);
  }
  // A begin that prefetches them all prefetches what fits; get_many reads
  // the rest.
  client::txn_options opts;
  opts.prefetch = keys;
  auto t = c->begin(opts);
  BOOST_REQUIRE_MESSAGE(t, why(t));
  auto got = t->get_many(keys);
  BOOST_REQUIRE_MESSAGE(got, why(got));
  check(*got);
  BOOST_CHECK(!t->abort());
  // Every node is still up: nothing dropped a connection.
  BOOST_CHECK_EQUAL(read(keys[0]), value(0));
}

/// GC every 100 ms, versions readable for 500 ms after they are replaced.
struct gc_fixture : cluster_fixture {
  gc_fixture()
    : cluster_fixture(troupe::test::fast_timeouts_toml +
                      "[gc]\ninterval_ms = 100\nlifetime_ms = 500\n") {}

  /// Every GC line of every node: (safe point, versions removed).
  std::vector<std::pair<std::uint64_t, std::uint64_t>> collections() const {
    static const std::regex line{
      R"(gc: safe point (\d+): removed (\d+) version)"};
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (const auto& n : nodes.names()) {
      auto log = nodes.log(n);
      for (std::sregex_iterator i{log.begin(), log.end(), line}, end; i != end;
           ++i)
        out.emplace_back(std::stoull((*i)[1]), std::stoull((*i)[2]));
    }
    return out;
  }
};

BOOST_FIXTURE_TEST_CASE(gc_keeps_what_a_running_transaction_reads, gc_fixture) {
  // One key on every node, so that GC on nodes other than the
  // coordinator's must learn of the transaction from its node.
  std::vector<std::string> keys;
  for (const auto& [node, key] : nodes.key_per_node("gc/"))
    keys.push_back(key);
  auto write_all = [&](const std::string& v) {
    auto done = c->run([&](client::transaction& t) -> caf::error {
      for (const auto& k : keys)
        if (auto err = t.put(k, v)) return err;
      return {};
    });
    BOOST_REQUIRE_MESSAGE(done, why(done));
  };
  write_all("v0");
  auto old = c->begin();
  BOOST_REQUIRE_MESSAGE(old, why(old));
  auto first = old->get_many(keys);
  BOOST_REQUIRE_MESSAGE(first, why(first));

  // Newer versions while the safe point catches up with `old`'s start (it
  // stops there: the safe point is the oldest running start).
  int n = 0;
  auto reached_old = [&] {
    write_all("v" + std::to_string(++n));
    auto all = collections();
    return std::any_of(all.begin(), all.end(), [&](const auto& c) {
      return c.first == old->start_ts();
    });
  };
  BOOST_REQUIRE_MESSAGE(wait_until(30s, reached_old),
                        "no GC reached the running transaction's start "
                        "(node log: "
                          << nodes.log(nodes.names()[0]) << ")");
  for (const auto& [sp, removed] : collections())
    BOOST_CHECK_LE(sp, old->start_ts());
  // Its snapshot is intact on every node.
  auto again = old->get_many(keys);
  BOOST_REQUIRE_MESSAGE(again, why(again));
  BOOST_CHECK(*again == *first);
  BOOST_CHECK((*again)[0] == std::optional<std::string>{"v0"});
  BOOST_REQUIRE(!old->abort());

  // Once it ended, the versions it kept go.
  auto removed_some = [&] {
    write_all("v" + std::to_string(++n));
    auto all = collections();
    return std::any_of(all.begin(), all.end(), [&](const auto& c) {
      return c.first > old->start_ts() && c.second > 0;
    });
  };
  BOOST_REQUIRE_MESSAGE(wait_until(30s, removed_some),
                        "GC removed nothing after the transaction ended");
  BOOST_CHECK_EQUAL(read(keys[0]), "v" + std::to_string(n));
}

BOOST_FIXTURE_TEST_CASE(transactions_commit_read_back_and_conflict,
                        cluster_fixture) {
  // Keys on many shards: a two-phase commit.
  auto done = c->run([&](client::transaction& t) -> caf::error {
    for (int i = 0; i < 8; ++i)
      if (auto err = t.put("k/" + std::to_string(i), "v" + std::to_string(i)))
        return err;
    return {};
  });
  BOOST_REQUIRE_MESSAGE(done, why(done));
  BOOST_CHECK(!done->one_phase);
  BOOST_CHECK_EQUAL(read("k/5"), "v5");

  // Own writes: visible to get and scan before commit, never to others.
  auto t = c->begin();
  BOOST_REQUIRE(t);
  BOOST_REQUIRE(!t->put("k/9", "own"));
  BOOST_REQUIRE(!t->erase("k/0"));
  BOOST_CHECK_EQUAL(t->get("k/9")->value_or("<none>"), "own");
  auto many = t->get_many({"k/3", "k/9", "k/0", "nope"});
  BOOST_REQUIRE_MESSAGE(many, why(many));
  BOOST_CHECK((*many == std::vector<std::optional<std::string>>{
                          "v3", "own", std::nullopt, std::nullopt}));
  auto rows = t->scan("k/");
  BOOST_REQUIRE_MESSAGE(rows, why(rows));
  std::vector<std::string> keys;
  for (const auto& kv : *rows)
    keys.push_back(kv.key);
  BOOST_CHECK((keys == std::vector<std::string>{"k/1", "k/2", "k/3", "k/4",
                                                "k/5", "k/6", "k/7", "k/9"}));
  auto two = t->scan("k/", 2);
  BOOST_REQUIRE(two);
  BOOST_CHECK_EQUAL(two->size(), 2u);
  BOOST_CHECK_EQUAL(read("k/9"), "<none>");

  // A second writer of k/9 that started before t committed loses.
  auto u = c->begin();
  BOOST_REQUIRE(u);
  BOOST_REQUIRE(!u->put("k/9", "theirs"));
  BOOST_REQUIRE(t->commit());
  auto lost = u->commit();
  BOOST_REQUIRE(!lost);
  // write_conflict, or locked while t's commit is still being applied.
  BOOST_CHECK_MESSAGE(actors::is(lost.error(), errc::write_conflict) ||
                        actors::is(lost.error(), errc::locked),
                      why(lost));
  BOOST_CHECK(actors::retry_class_of(lost.error()) ==
              actors::retry_class::retry_transaction);
  BOOST_CHECK_EQUAL(read("k/9"), "own");
  BOOST_CHECK_EQUAL(read("k/0"), "<none>");

  // Too large: do_not_retry, before anything is sent.
  auto w = c->begin();
  BOOST_REQUIRE(w);
  auto big = w->put(std::string(cfg.limits.max_key_bytes + 1, 'k'), "v");
  BOOST_CHECK(actors::is(big, errc::too_large));
}

BOOST_FIXTURE_TEST_CASE(run_retries_a_transaction_that_lost_a_race,
                        cluster_fixture) {
  BOOST_REQUIRE(
    c->run([](client::transaction& t) { return t.put("counter", "0"); }));
  int calls = 0;
  auto done = c->run([&](client::transaction& t) -> caf::error {
    ++calls;
    auto v = t.get("counter");
    if (!v) return v.error();
    BOOST_TEST_MESSAGE("attempt " << calls << " start " << t.start_ts()
                                  << " read " << v->value_or("-"));
    if (calls == 1) {
      // Someone else bumps the counter after our snapshot.
      auto other =
        c->run([](client::transaction& o) { return o.put("counter", "100"); });
      BOOST_REQUIRE(other);
      BOOST_TEST_MESSAGE("other commit " << other->commit_ts);
    }
    return t.put("counter", std::to_string(std::stoi(**v) + 1));
  });
  BOOST_REQUIRE_MESSAGE(done, why(done));
  BOOST_TEST_MESSAGE("commit " << done->commit_ts << " 1pc "
                               << done->one_phase);
  BOOST_CHECK_EQUAL(calls, 2);
  BOOST_CHECK_EQUAL(read("counter"), "101");
}

BOOST_FIXTURE_TEST_CASE(begin_fails_over_when_a_node_dies, cluster_fixture) {
  // Touch every node once so that the client holds all three services.
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(c->begin());
  // Kill a node without the timestamp oracle (every begin needs it; its
  // failover is not built yet).
  auto victim = nodes.oracle_node(false);
  BOOST_REQUIRE(!victim.empty());
  nodes.signal(victim, SIGKILL);
  BOOST_REQUIRE(
    wait_until(5s, [&] { return nodes.states()[victim] == "down"; }));
  // Round robin reaches the victim within three begins; each succeeds.
  for (int i = 0; i < 6; ++i) {
    auto t = c->begin();
    BOOST_REQUIRE_MESSAGE(t, why(t));
  }
  BOOST_CHECK_GE(c->failovers(), 1u);
  // Asked to begin next to a key of the dead node, it begins elsewhere.
  auto near = nodes.key_per_node("near").at(victim);
  client::txn_options opts;
  opts.near = near;
  auto t = c->begin(opts);
  BOOST_REQUIRE_MESSAGE(t, why(t));
  auto v = t->get(std::string{"k/1"});
  BOOST_CHECK(v);
}
