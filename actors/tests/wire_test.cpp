// Every wire message survives C++ -> bytes -> C++, through protobuf directly
// and through CAF's binary serializer (what remoting uses); malformed bytes
// are rejected and counted, never a crash.
#include "troupe/actors/wire.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "troupe/actors/node.hpp"

using namespace troupe::actors;

namespace {

cluster_status sample_status() {
  cluster_status st;
  st.cluster = "local-3";
  st.observer = "n2";
  st.dropped_messages = 42;
  st.nodes.push_back(
    {"n1", "up", "127.0.0.1:7101", {0, 5, 9}, 12.5, 77, {}, false, -1});
  st.nodes.push_back({"n2", "down", "127.0.0.1:7102", {}, 0, 0, {}, false, -1});
  return st;
}

void check_equal(const cluster_status& a, const cluster_status& b) {
  BOOST_CHECK_EQUAL(a.cluster, b.cluster);
  BOOST_CHECK_EQUAL(a.observer, b.observer);
  BOOST_CHECK_EQUAL(a.dropped_messages, b.dropped_messages);
  BOOST_REQUIRE_EQUAL(a.nodes.size(), b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    BOOST_CHECK_EQUAL(a.nodes[i].name, b.nodes[i].name);
    BOOST_CHECK_EQUAL(a.nodes[i].state, b.nodes[i].state);
    BOOST_CHECK_EQUAL(a.nodes[i].address, b.nodes[i].address);
    BOOST_CHECK(a.nodes[i].shards == b.nodes[i].shards);
    BOOST_CHECK_EQUAL(a.nodes[i].uptime_s, b.nodes[i].uptime_s);
    BOOST_CHECK_EQUAL(a.nodes[i].incarnation, b.nodes[i].incarnation);
  }
}

template <class T>
T caf_round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  BOOST_REQUIRE(!sink(x));
  T y;
  caf::binary_deserializer source{sys, buf};
  BOOST_REQUIRE(!source(y));
  return y;
}

struct caf_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf_fixture() {
    configure(cfg, 1);
    sys = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

BOOST_AUTO_TEST_CASE(heartbeat_round_trips_through_protobuf) {
  heartbeat hb{"local-3", "n1", 0xdeadbeefcafeULL, 12345};
  heartbeat out;
  BOOST_REQUIRE(decode(encode(hb), out));
  BOOST_CHECK_EQUAL(out.cluster, hb.cluster);
  BOOST_CHECK_EQUAL(out.node, hb.node);
  BOOST_CHECK_EQUAL(out.incarnation, hb.incarnation);
  BOOST_CHECK_EQUAL(out.uptime_ms, hb.uptime_ms);
}

BOOST_AUTO_TEST_CASE(cluster_status_round_trips_through_protobuf) {
  auto st = sample_status();
  cluster_status out;
  BOOST_REQUIRE(decode(encode(st), out));
  check_equal(st, out);
}

BOOST_FIXTURE_TEST_CASE(wire_types_round_trip_through_caf_serializer,
                        caf_fixture) {
  auto hb = caf_round_trip(*sys, heartbeat{"c", "n3", 9, 10});
  BOOST_CHECK_EQUAL(hb.node, "n3");
  BOOST_CHECK_EQUAL(hb.incarnation, 9u);
  check_equal(caf_round_trip(*sys, sample_status()), sample_status());
}

BOOST_FIXTURE_TEST_CASE(malformed_bytes_are_rejected_and_counted, caf_fixture) {
  heartbeat out;
  BOOST_CHECK(!decode(std::string{"\xff\xff\xff\xff\x0f", 5}, out));
  BOOST_CHECK(!decode(std::string{}, out)); // no node name
  cluster_status st;
  auto bytes = encode(sample_status());
  BOOST_CHECK(!decode(bytes.substr(0, bytes.size() / 2), st));

  // Through CAF: a length-prefixed garbage string where a heartbeat belongs.
  auto before = dropped_messages();
  std::vector<char> buf;
  caf::binary_serializer sink{*sys, buf};
  std::string garbage{"\x0a\xff\xff\xff", 4};
  BOOST_REQUIRE(!sink(garbage));
  caf::binary_deserializer source{*sys, buf};
  heartbeat hb;
  BOOST_CHECK(source(hb)); // an error, not a crash
  BOOST_CHECK_EQUAL(dropped_messages(), before + 1);
}
