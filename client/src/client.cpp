// The client: node selection, reconnects and `run`'s retry loop. The
// transaction itself is in transaction.cpp.
#include "client_impl.hpp"

#include <random>
#include <thread>

#include "troupe/actors/backoff.hpp"
#include "troupe/actors/blocking_call.hpp"
#include "troupe/actors/directory.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/node.hpp"
#include "troupe/ring/hash.hpp"

namespace troupe::client {

using namespace actors;

namespace {

/// How long a node that did not answer is skipped by begin() (unless every
/// node is), so that a dead node costs one connect timeout, not one per
/// transaction.
constexpr auto skip_failed_node = std::chrono::milliseconds{500};

} // namespace

client::impl::impl(config::cluster_config c, client_options o)
  : cluster(std::move(c)), opts(o), nodes(cluster.nodes.size()) {
  sys_cfg = std::make_unique<caf::actor_system_config>();
  configure(*sys_cfg, opts.threads == 0 ? 1 : opts.threads);
  sys = std::make_unique<caf::actor_system>(*sys_cfg);
  timeout = opts.request_timeout.count() > 0 ? opts.request_timeout
                                             : cluster.timeouts.request;
  // The same placement every node computes (actors/directory.hpp).
  if (auto p = placement_of(cluster))
    for (std::uint32_t s = 0; s < p->shard_count(); ++s) {
      const auto& name = p->node_of_shard(s).name;
      for (std::size_t i = 0; i < cluster.nodes.size(); ++i)
        if (cluster.nodes[i].name == name) node_of_shard.push_back(i);
    }
}

client::impl::~impl() = default;

caf::expected<txn_service_actor> client::impl::service(caf::scoped_actor& self,
                                                       std::size_t i) {
  auto& n = nodes[i];
  std::lock_guard<std::mutex> guard{n.mx};
  if (n.svc) return n.svc;
  const auto& node = cluster.nodes[i];
  caf::error failed;
  auto node_actor = connect_node(self, node, cluster.timeouts.connect);
  if (!node_actor)
    failed = std::move(node_actor.error());
  else
    failed = call(
      self, *node_actor, timeout,
      [&](caf::actor& a) { n.svc = caf::actor_cast<txn_service_actor>(a); },
      resolve_local_atom::value, std::string{"txn_service"}, node.name);
  if (failed) {
    n.skip_until = std::chrono::steady_clock::now() + skip_failed_node;
    return failed;
  }
  return n.svc;
}

void client::impl::forget(std::size_t i, const txn_service_actor& svc) {
  auto& n = nodes[i];
  std::lock_guard<std::mutex> guard{n.mx};
  if (n.svc == svc) n.svc = nullptr;
  n.skip_until = std::chrono::steady_clock::now() + skip_failed_node;
}

bool client::impl::skipped(std::size_t i) {
  auto& n = nodes[i];
  std::lock_guard<std::mutex> guard{n.mx};
  return !n.svc && std::chrono::steady_clock::now() < n.skip_until;
}

std::unique_ptr<caf::scoped_actor> client::impl::take_actor() {
  {
    std::lock_guard<std::mutex> guard{actors_mx};
    if (!idle_actors.empty()) {
      auto a = std::move(idle_actors.back());
      idle_actors.pop_back();
      return a;
    }
  }
  return std::make_unique<caf::scoped_actor>(*sys);
}

void client::impl::give_back(std::unique_ptr<caf::scoped_actor> a) {
  std::lock_guard<std::mutex> guard{actors_mx};
  idle_actors.push_back(std::move(a));
}

client::client(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

caf::expected<client> client::connect(const config::cluster_config& cluster,
                                      client_options opts) {
  if (cluster.nodes.empty())
    return make_error(errc::invalid_argument,
                      "cluster '" + cluster.name + "' has no nodes");
  return client{std::make_shared<impl>(cluster, opts)};
}

caf::expected<transaction> client::begin(txn_options opts) {
  auto& d = *impl_;
  // The actor that begins the transaction goes on to run its calls.
  auto actor = d.take_actor();
  auto count = d.nodes.size();
  auto first = d.next.fetch_add(1) % count;
  if (!opts.near.empty() && d.node_of_shard.size() == d.cluster.shards)
    first = d.node_of_shard[ring::shard_of(opts.near, d.cluster.shards)];
  // Prefetch what one begin message holds; get_many reads the rest.
  opts.prefetch.resize(cluster().limits.keys_that_fit(opts.prefetch, 0));
  std::string tried;
  std::vector<bool> asked(count, false);
  // Two rounds: the first skips nodes that failed a moment ago, the second
  // asks them too (they may have come back).
  for (int round = 0; round < 2; ++round) {
    for (std::size_t k = 0; k < count; ++k) {
      auto i = (first + k) % count;
      if (asked[i] || (round == 0 && d.skipped(i))) continue;
      asked[i] = true;
      const auto& node = d.cluster.nodes[i];
      auto svc = d.service(*actor, i);
      caf::error failed;
      if (svc) {
        std::optional<txn_started> began;
        // By id: the transaction's actor stays unknown here
        // (actors/transaction.hpp says why).
        failed = call(
          *actor, *svc, d.timeout,
          [&](txn_started& started, transaction_actor&) {
            began.emplace(std::move(started));
          },
          txn_begin{opts.isolation, opts.three_phase, opts.prefetch, true});
        if (began) {
          auto t = std::make_unique<transaction::impl>(impl_, std::move(actor),
                                                       *svc, std::move(*began));
          t->three_phase = opts.three_phase;
          auto& values = t->started.values;
          for (std::size_t j = 0; j < opts.prefetch.size() && j < values.size();
               ++j)
            t->prefetched[opts.prefetch[j]] = std::move(values[j].value);
          values.clear();
          return transaction{std::move(t)};
        }
        if (retry_class_of(failed) != retry_class::retry_call) {
          d.give_back(std::move(actor));
          return failed;
        }
        d.forget(i, *svc);
      } else {
        failed = std::move(svc.error());
      }
      // An answer may still come to a call that got none: the next node
      // gets a fresh actor, whose mailbox that answer cannot clutter.
      if (unanswered(failed))
        actor = std::make_unique<caf::scoped_actor>(*d.sys);
      ++d.failovers;
      tried += (tried.empty() ? "" : "; ") + node.name + " (" + node.address() +
               "): " + describe(failed, false);
    }
  }
  return make_error(errc::unavailable, "no node of cluster '" + d.cluster.name +
                                         "' started a transaction: " + tried);
}

caf::expected<txn_committed>
client::run(const std::function<caf::error(transaction&)>& fn,
            run_options opts) {
  auto policy = opts.retry.value_or(impl_->cluster.retry);
  backoff delays{backoff_policy::from(policy), std::random_device{}()};
  auto retryable = [](const caf::error& err) {
    return retry_class_of(err) != retry_class::do_not_retry;
  };
  caf::error last;
  auto attempts = policy.max_attempts == 0 ? 1 : policy.max_attempts;
  for (std::uint32_t attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) std::this_thread::sleep_for(delays.delay(attempt - 1));
    auto t = begin(opts.txn);
    if (!t) {
      last = std::move(t.error());
      if (retryable(last)) continue;
      return last;
    }
    if (auto err = fn(*t)) {
      // The abort's own error changes nothing: the caller gets fn's.
      static_cast<void>(t->abort());
      if (!retryable(err)) return err;
      last = std::move(err);
      continue;
    }
    auto done = t->commit();
    if (done) return done;
    last = std::move(done.error());
    if (!retryable(last)) return last;
  }
  return last;
}

std::uint64_t client::failovers() const noexcept {
  return impl_->failovers.load();
}

const config::cluster_config& client::cluster() const noexcept {
  return impl_->cluster;
}

} // namespace troupe::client
