// The directory and router across two real nodes (two actor systems in one
// process, real remoting through each node's frame guard): resolve finds a
// local or remote actor through the owner's node, unknown names are
// not_found, and a resolve for something owned by a down node fails at once
// with unavailable.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <caf/all.hpp>

#include "cluster_harness.hpp"
#include "troupe/actors/directory.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/node.hpp"
#include "troupe/config/load.hpp"

using namespace std::chrono_literals;
using namespace troupe::actors;
using troupe::test::free_port;
using troupe::test::wait_until;

namespace {

struct two_nodes {
  troupe::config::cluster_config cfg;
  std::unique_ptr<node_runtime> n1;
  std::unique_ptr<node_runtime> n2;

  std::string dir;

  two_nodes() {
    char tmpl[] = "/tmp/troupe-router-XXXXXX";
    BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    cfg = troupe::config::parse(
      "[cluster]\nname = \"router\"\n"
      "[timeouts]\nheartbeat_interval_ms = 100\nheartbeat_timeout_ms = 500\n"
      "[[nodes]]\nname = \"n1\"\ndata_dir = \"" +
        dir + "/n1\"\nport = " + std::to_string(free_port()) +
        "\n[[nodes]]\nname = \"n2\"\ndata_dir = \"" + dir +
        "/n2\"\nport = " + std::to_string(free_port()) + "\n",
      "router.toml");
    n1 = start("n1");
    n2 = start("n2");
    BOOST_REQUIRE(wait_until(10s, [&] { return all_up(); }));
  }

  ~two_nodes() {
    n1.reset();
    n2.reset();
    std::filesystem::remove_all(dir);
  }

  std::unique_ptr<node_runtime> start(const std::string& name) {
    node_setup setup;
    setup.cluster = cfg;
    setup.name = name;
    auto rt = node_runtime::start(std::move(setup));
    BOOST_REQUIRE_MESSAGE(rt, "cannot start " << name);
    return std::move(*rt);
  }

  bool all_up() {
    auto st = fetch_status(cfg, 1s);
    if (!st) return false;
    for (const auto& n : st->nodes)
      if (n.state != "up") return false;
    return true;
  }

  /// Returns an id of `kind` owned by `node`.
  std::string id_owned_by(const std::string& kind, const std::string& node) {
    auto p = placement_of(cfg);
    directory d{std::move(*p), node};
    for (int i = 0;; ++i)
      if (d.owns(kind, std::to_string(i))) return std::to_string(i);
  }

  caf::expected<caf::actor> resolve(caf::actor_system& sys, caf::actor node,
                                    const std::string& kind,
                                    const std::string& id) {
    caf::scoped_actor self{sys};
    caf::expected<caf::actor> out{caf::error{}};
    self->request(node, 2s, resolve_atom::value, kind, id)
      .receive([&](caf::actor& a) { out = std::move(a); },
               [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

caf::behavior echo() {
  return {[](const std::string& s) { return s + "!"; }};
}

} // namespace

BOOST_FIXTURE_TEST_CASE(resolve_finds_local_and_remote_actors, two_nodes) {
  auto remote_id = id_owned_by("echo", "n2");
  auto local_id = id_owned_by("echo", "n1");
  auto remote_echo = n2->system().spawn(echo);
  auto local_echo = n1->system().spawn(echo);
  caf::anon_send(n2->node(), register_atom::value, std::string{"echo"},
                 remote_id, remote_echo);
  caf::anon_send(n1->node(), register_atom::value, std::string{"echo"},
                 local_id, local_echo);

  // Asked on n1, the request for n2's actor is forwarded to n2.
  caf::expected<caf::actor> found{caf::error{}};
  BOOST_REQUIRE(wait_until(5s, [&] {
    found = resolve(n1->system(), n1->node(), "echo", remote_id);
    return static_cast<bool>(found);
  }));
  caf::scoped_actor self{n1->system()};
  std::string reply;
  self->request(*found, 2s, std::string{"hi"})
    .receive([&](std::string& s) { reply = s; }, [](caf::error&) {});
  BOOST_CHECK_EQUAL(reply, "hi!");
  BOOST_CHECK(found->node() != n1->system().node()); // a remote handle

  auto local = resolve(n1->system(), n1->node(), "echo", local_id);
  BOOST_REQUIRE(local);
  BOOST_CHECK(*local == local_echo);
  caf::anon_send_exit(remote_echo, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(local_echo, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(unknown_names_are_not_found_on_either_node, two_nodes) {
  auto on_n2 =
    resolve(n1->system(), n1->node(), "echo", id_owned_by("echo", "n2"));
  BOOST_REQUIRE(!on_n2);
  BOOST_CHECK(is(on_n2.error(), errc::not_found));
  auto on_n1 =
    resolve(n1->system(), n1->node(), "echo", id_owned_by("echo", "n1"));
  BOOST_REQUIRE(!on_n1);
  BOOST_CHECK(is(on_n1.error(), errc::not_found));
  BOOST_CHECK(retry_class_of(on_n1.error()) == retry_class::do_not_retry);
}

BOOST_FIXTURE_TEST_CASE(resolve_for_a_down_node_fails_fast_with_unavailable,
                        two_nodes) {
  auto id = id_owned_by("echo", "n2");
  n2.reset(); // node n2 stops
  BOOST_REQUIRE(wait_until(5s, [&] {
    auto st = fetch_status(cfg, 1s);
    return st && st->nodes[1].state == "down";
  }));
  auto started = std::chrono::steady_clock::now();
  auto r = resolve(n1->system(), n1->node(), "echo", id);
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_REQUIRE(!r);
  BOOST_CHECK_MESSAGE(is(r.error(), errc::unavailable), describe(r.error()));
  BOOST_CHECK(retry_class_of(r.error()) == retry_class::retry_call);
  // Fast: answered from local membership, not after a timeout.
  BOOST_CHECK_LT(
    std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 500);
}
