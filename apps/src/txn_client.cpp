#include "txn_client.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/actors/node.hpp"
#include "troupe/actors/transaction.hpp"

namespace troupe::app {

namespace {

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    auto start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::string> parse_one(const std::vector<std::string>& w,
                                     statement& out) {
  const auto& verb = w[0];
  if (verb == "put") {
    if (w.size() != 3) return "put takes a key and a value";
    out = {statement::op::put, w[1], w[2]};
  } else if (verb == "get" || verb == "del") {
    if (w.size() != 2) return verb + " takes one key";
    out = {verb == "get" ? statement::op::get : statement::op::del, w[1], {}};
  } else {
    return "unknown operation '" + verb + "' (expected get, put or del)";
  }
  return std::nullopt;
}

using namespace actors;

/// Returns the txn service of the first node that answers.
caf::expected<txn_service_actor>
connect_service(caf::scoped_actor& self, const config::cluster_config& c) {
  auto mm = self->system().middleman().actor_handle();
  std::string tried;
  for (const auto& n : c.nodes) {
    caf::strong_actor_ptr node;
    caf::actor svc;
    std::string why;
    self
      ->request(mm, c.timeouts.connect, caf::connect_atom::value, n.host,
                n.port)
      .receive([&](const caf::node_id&, caf::strong_actor_ptr& p,
                   const std::set<std::string>&) { node = std::move(p); },
               [&](caf::error& err) { why = describe(err, false); });
    if (node)
      self
        ->request(caf::actor_cast<caf::actor>(node), c.timeouts.request,
                  resolve_local_atom::value, std::string{"txn_service"}, n.name)
        .receive([&](caf::actor& a) { svc = std::move(a); },
                 [&](caf::error& err) { why = describe(err, false); });
    if (svc) return caf::actor_cast<txn_service_actor>(svc);
    tried += (tried.empty() ? "" : "; ") + n.name + " (" + n.address() +
             "): " + (why.empty() ? "no actor published" : why);
  }
  return make_error(errc::unavailable,
                    "no node of cluster '" + c.name + "' answered: " + tried);
}

/// Runs the statements and commits; the first error stops it.
caf::error run_in(caf::scoped_actor& self, const transaction_actor& txn,
                  std::chrono::milliseconds timeout,
                  const std::vector<statement>& stmts, txn_outcome& out) {
  caf::error failed;
  auto on_error = [&](caf::error& err) { failed = std::move(err); };
  for (const auto& s : stmts) {
    switch (s.kind) {
    case statement::op::get:
      self->request(txn, timeout, txn_get{s.key})
        .receive([&](read_reply& r) { out.reads.emplace_back(s.key, r.value); },
                 on_error);
      break;
    case statement::op::put:
      self->request(txn, timeout, txn_put{s.key, s.value})
        .receive([] {}, on_error);
      break;
    case statement::op::del:
      self->request(txn, timeout, txn_erase{s.key}).receive([] {}, on_error);
      break;
    }
    if (failed) {
      // Best effort: end the transaction now rather than at its idle
      // timeout (an error of the abort changes nothing for the caller).
      // Not after a failed commit: that aborted it already.
      self->request(txn, timeout, txn_abort{})
        .receive([] {}, [](caf::error&) {});
      return failed;
    }
  }
  self->request(txn, timeout, txn_commit{})
    .receive([&](txn_committed& c) { out.committed = c; }, on_error);
  return failed;
}

} // namespace

std::variant<std::vector<statement>, statement_error>
parse_statements(std::string_view text) {
  std::vector<statement> out;
  std::size_t begin = 0;
  std::size_t number = 0;
  while (begin <= text.size()) {
    auto end = text.find(';', begin);
    if (end == std::string_view::npos) end = text.size();
    auto part = text.substr(begin, end - begin);
    auto words = words_of(part);
    if (!words.empty()) {
      ++number;
      statement s;
      auto lead = part.find_first_not_of(" \t\r\n");
      if (auto why = parse_one(words, s))
        return statement_error{number, begin + lead + 1, *why};
      out.push_back(std::move(s));
    }
    begin = end + 1;
  }
  if (out.empty())
    return statement_error{1, 1, "no statements (expected e.g. \"put a 1\")"};
  return out;
}

caf::expected<txn_outcome>
run_transaction(const config::cluster_config& cluster,
                const std::vector<statement>& stmts,
                actors::isolation_level level) {
  caf::actor_system_config cfg;
  configure(cfg, 1);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto svc = connect_service(self, cluster);
  if (!svc) return std::move(svc.error());
  auto timeout = cluster.timeouts.request;
  transaction_actor txn;
  caf::error failed;
  self->request(*svc, timeout, txn_begin{level})
    .receive([&](txn_started&, transaction_actor& t) { txn = std::move(t); },
             [&](caf::error& err) { failed = std::move(err); });
  if (failed) return failed;
  txn_outcome out;
  failed = run_in(self, txn, timeout, stmts, out);
  if (failed) return failed;
  return out;
}

} // namespace troupe::app
