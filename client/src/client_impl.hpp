#pragma once

// Private state of client and transaction (client.hpp).

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/actors/transaction.hpp"
#include "troupe/actors/write_buffer.hpp"
#include "troupe/client/client.hpp"

namespace troupe::client {

/// True for the errors of a request that got no answer: the remote side
/// may or may not have acted on it, and the answer may still come.
[[nodiscard]] inline bool unanswered(const caf::error& err) {
  return err.category() != actors::errc_category &&
         actors::retry_class_of(err) == actors::retry_class::retry_call;
}

struct client::impl {
  /// What the client knows of one node: its transaction service once
  /// resolved, and until when to skip it after a failure.
  struct node_entry {
    std::mutex mx;
    actors::txn_service_actor svc;
    std::chrono::steady_clock::time_point skip_until{};
  };

  impl(config::cluster_config c, client_options o);
  ~impl();

  /// Returns node `i`'s transaction service, connecting on first use.
  [[nodiscard]] caf::expected<actors::txn_service_actor>
  service(caf::scoped_actor& self, std::size_t i);

  /// Drops `svc` of node `i` after a failed call (next use reconnects).
  void forget(std::size_t i, const actors::txn_service_actor& svc);

  /// True while node `i` failed a moment ago.
  [[nodiscard]] bool skipped(std::size_t i);

  /// Returns an actor to make a transaction's calls: one that an ended
  /// transaction gave back, or a new one. Reusing them matters: every new
  /// actor that calls a node makes CAF announce a proxy of it there and
  /// retract it when the actor ends (two more messages per transaction).
  [[nodiscard]] std::unique_ptr<caf::scoped_actor> take_actor();

  /// Gives `a` back for the next transaction. Only an actor whose every
  /// request got its answer may return: a late answer to a timed-out request
  /// would wait in its mailbox forever.
  void give_back(std::unique_ptr<caf::scoped_actor> a);

  // First: destroyed last, after every handle into the system (which
  // refers to its config until it is gone).
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  config::cluster_config cluster;
  client_options opts;
  std::chrono::milliseconds timeout;
  std::vector<node_entry> nodes;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> failovers{0};
  /// Node index in `cluster.nodes` of each shard (empty: no placement).
  std::vector<std::size_t> node_of_shard;
  std::mutex actors_mx;
  std::vector<std::unique_ptr<caf::scoped_actor>> idle_actors;
};

struct transaction::impl {
  enum class phase { active, committed, aborted, over };

  /// `a` is the scoped actor that began the transaction: it makes the calls,
  /// to `svc`, the service that began it (transactions are addressed by id
  /// through it: txn_begin::by_id).
  impl(std::shared_ptr<client::impl> c, std::unique_ptr<caf::scoped_actor> a,
       actors::txn_service_actor svc, actors::txn_started s);
  /// Gives the actor back to the client when every request was answered.
  ~impl();
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  /// Notes the outcome of a request: one without an answer (timeout, lost
  /// connection) keeps the actor from being reused.
  void answered(const caf::error& err);

  /// Sends `req` to the transaction (by id, through its service) and waits
  /// `timeout` (the client's request timeout by default) for its answer
  /// (actors::call), noting whether it came (answered).
  template <class OnValue, class Request>
  caf::error call(OnValue on_value, Request req,
                  std::optional<caf::timespan> timeout = std::nullopt);

  /// Buffers one write (nullopt: erase) after the checks the coordinator
  /// would make, so a bad write fails before anything is sent.
  [[nodiscard]] caf::error buffer(std::string key,
                                  std::optional<std::string> value);

  std::shared_ptr<client::impl> owner;
  std::unique_ptr<caf::scoped_actor> actor;
  actors::txn_service_actor service;
  actors::txn_started started;
  actors::write_buffer writes; ///< sent with the commit
  /// Values read with the begin (txn_options::prefetch), by key.
  std::map<std::string, std::optional<std::string>> prefetched;
  phase state = phase::active;
  /// Commits with 3PC (txn_options::three_phase): a commit may take a
  /// second prepare timeout (the PreCommit round).
  bool three_phase = false;
  /// False once a request went unanswered (the actor is then not reused).
  bool all_answered = true;
};

} // namespace troupe::client
