#pragma once

// Three real storage shards over one store in a temp directory, a timestamp
// oracle, a static resolver and a transaction service, all on the
// deterministic scheduler. Keys "0...", "1...", "2..." live on shards 0, 1,
// 2 (the first character picks the shard).

#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "support/deterministic_system.hpp"
#include "temp_dir.hpp"
#include "troupe/coordinator/coordinator.hpp"
#include "troupe/coordinator/decision_log.hpp"
#include "troupe/participants/shard.hpp"

namespace troupe::coordinator::test {

using namespace troupe::actors;

/// A participant that never votes: it keeps prepare requests unanswered
/// and acks commit and abort (counted).
struct silent_state {
  std::vector<caf::typed_response_promise<vote>> held;
  int aborts = 0;
};

inline caf::actor spawn_silent(caf::actor_system& sys,
                               std::shared_ptr<silent_state> st) {
  return sys.spawn([st](caf::event_based_actor* self) -> caf::behavior {
    return {
      [=](const prepare_request&) -> caf::result<vote> {
        auto rp = self->make_response_promise<vote>();
        st->held.push_back(rp);
        return rp;
      },
      [=](const abort_request& req) {
        ++st->aborts;
        return ack{req.txn, req.shard};
      },
      [=](const commit_request& req) {
        return ack{req.txn, req.shard};
      },
    };
  });
}

struct txn_fixture {
  mvcc::test::temp_dir dir;
  std::shared_ptr<mvcc::store> db{mvcc::test::open_store(dir.sub("db"))};
  troupe::test::deterministic_system t;
  std::map<shard_id, caf::actor> shards;
  tso_actor tso;
  coordinator_config cfg;
  txn_service_actor service;

  txn_fixture() {
    participants::shard_options sopts;
    sopts.handoff = t.handoff();
    for (shard_id s = 0; s < 3; ++s)
      shards[s] = caf::actor_cast<caf::actor>(
        participants::spawn_shard(t.sys, *db, s, sopts));
    auto oracle = spawn_tso(t.sys, *db, tso_options{1000, 1000, t.handoff()});
    BOOST_REQUIRE(oracle);
    tso = *oracle;
    cfg.node = "n1";
    cfg.db = db.get();
    cfg.tso = tso;
    cfg.resolver = spawn_static_resolver(t.sys, shards);
    cfg.shards.count = 3;
    cfg.shards.of = [](const std::string& key) -> shard_id {
      return key.empty() ? 0 : static_cast<shard_id>((key[0] - '0') % 3);
    };
    cfg.seed = 42;
    cfg.handoff = t.handoff();
    service = spawn_txn_service(t.sys, cfg);
    t.run();
  }

  /// Ends every actor while the system lives: lingering transactions abort
  /// on their idle timeout, then the service and the rest exit.
  ~txn_fixture() {
    t.advance(cfg.idle_timeout + std::chrono::seconds{1});
    t.run_until([] { return false; }, std::chrono::milliseconds{50});
    for (auto& h : std::vector<caf::actor>{caf::actor_cast<caf::actor>(service),
                                           cfg.resolver,
                                           caf::actor_cast<caf::actor>(tso)})
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    for (auto& [s, h] : shards)
      caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    t.run();
  }

  /// Replaces participants (fakes) and restarts the service with them.
  void replace(std::map<shard_id, caf::actor> fakes) {
    caf::anon_send_exit(service, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(cfg.resolver, caf::exit_reason::user_shutdown);
    for (auto& [s, a] : fakes) {
      caf::anon_send_exit(shards[s], caf::exit_reason::user_shutdown);
      shards[s] = a;
    }
    cfg.resolver = spawn_static_resolver(t.sys, shards);
    service = spawn_txn_service(t.sys, cfg);
    t.run();
  }

  struct txn {
    txn_started id;
    transaction_actor handle;
  };

  /// Begins a transaction (fails the test on errors).
  txn begin(isolation_level level = isolation_level::snapshot,
            bool three_phase = false) {
    auto out = begin_with(txn_begin{level, three_phase, {}});
    BOOST_REQUIRE_MESSAGE(out, (out ? std::string{} : describe(out.error())));
    return *out;
  }

  /// Sends `req` to the service and waits for the transaction or error,
  /// moving the clock as `call` does (prefetch reads may retry).
  caf::expected<txn> begin_with(txn_begin req) {
    auto out = std::make_shared<std::optional<caf::expected<txn>>>();
    t.sys.spawn([=](caf::event_based_actor* self) {
      self->request(service, caf::infinite, req)
        .then(
          [=](txn_started& s, transaction_actor& h) {
            *out = txn{s, h};
          },
          [=](caf::error& err) { *out = std::move(err); });
    });
    return await(out);
  }

  /// Sends a void request (put, erase, abort); returns its error.
  template <class Request>
  caf::error send_void(const txn& x, Request req) {
    auto out = std::make_shared<std::optional<caf::error>>();
    t.sys.spawn([=](caf::event_based_actor* self) {
      self->request(x.handle, caf::infinite, req)
        .then([=]() { *out = caf::error{}; },
              [=](caf::error& err) { *out = std::move(err); });
    });
    BOOST_REQUIRE(t.run_until([&] { return out->has_value(); }));
    return **out;
  }

  void put(const txn& x, const std::string& k, const std::string& v) {
    auto err = send_void(x, txn_put{k, v});
    BOOST_REQUIRE_MESSAGE(!err, (err ? describe(err) : std::string{}));
  }

  /// Sends `req` and waits for the reply; while none is there, moves the
  /// test clock in steps of 100 ms (at most 5 s), so that reads blocked by
  /// an undecided intent retry with backoff, as they would in real time.
  template <class T, class Handle, class... Request>
  caf::expected<T> call(const Handle& dest, Request... req) {
    auto out = std::make_shared<std::optional<caf::expected<T>>>();
    t.sys.spawn([=](caf::event_based_actor* self) {
      self->request(dest, caf::infinite, req...)
        .then([=](T& value) { *out = std::move(value); },
              [=](caf::error& err) { *out = std::move(err); });
    });
    return await(out);
  }

  /// Runs until `*out` is set, moving the test clock in steps of 100 ms
  /// (at most 5 s) while it is not.
  template <class T>
  caf::expected<T>
  await(const std::shared_ptr<std::optional<caf::expected<T>>>& out) {
    for (int step = 0; step < 50; ++step) {
      if (t.run_until([&] { return out->has_value(); },
                      std::chrono::milliseconds{200}))
        return std::move(**out);
      t.advance(std::chrono::milliseconds{100});
    }
    return caf::make_error(caf::sec::request_timeout, "no reply");
  }

  /// The transaction's view of `key`: value, "<none>" or "<E:code...>".
  std::string get(const txn& x, const std::string& key) {
    auto r = call<read_reply>(x.handle, txn_get{key});
    if (!r) return "<E:" + describe(r.error(), false) + ">";
    return r->value ? *r->value : "<none>";
  }

  /// Starts a commit without waiting; the slot fills with the reply.
  std::shared_ptr<std::optional<caf::expected<txn_committed>>>
  start_commit(const txn& x, std::vector<write_op> writes = {}) {
    auto out = std::make_shared<std::optional<caf::expected<txn_committed>>>();
    t.sys.spawn([=](caf::event_based_actor* self) {
      self->request(x.handle, caf::infinite, txn_commit{writes})
        .then([=](txn_committed& c) { *out = c; },
              [=](caf::error& err) { *out = std::move(err); });
    });
    t.run();
    return out;
  }

  caf::expected<txn_committed> commit(const txn& x,
                                      std::vector<write_op> writes = {}) {
    auto slot = start_commit(x, std::move(writes));
    BOOST_REQUIRE(t.run_until([&] { return slot->has_value(); }));
    return std::move(**slot);
  }

  /// Reads `key` from its shard directly at `ts`: value, "<none>" or
  /// "<E:...>".
  std::string read_at(const std::string& key, timestamp ts) {
    auto s = cfg.shards(key);
    auto r = t.request<read_reply>(
      caf::actor_cast<participant_actor>(shards[s]), read_request{s, key, ts});
    if (!r) return "<E:" + describe(r.error(), false) + ">";
    return r->value ? *r->value : "<none>";
  }

  /// Commits `kvs` in one transaction (fails the test on errors).
  txn_committed load(std::vector<std::pair<std::string, std::string>> kvs) {
    auto x = begin();
    for (auto& [k, v] : kvs)
      put(x, k, v);
    auto c = commit(x);
    BOOST_REQUIRE_MESSAGE(c, (c ? std::string{} : describe(c.error())));
    BOOST_REQUIRE(decisions_cleared());
    return *c;
  }

  /// Waits until every decision record is gone (all ACKs in).
  bool decisions_cleared() {
    decision_log log{*db};
    return t.run_until([&] {
      auto all = log.list();
      return all && all->empty();
    });
  }
};

} // namespace troupe::coordinator::test
