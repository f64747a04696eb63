// Every participant and transaction message survives C++ -> protobuf -> C++
// and CAF's binary serializer (what remoting uses); malformed bytes and
// out-of-range enums are rejected, never a crash.
#include "troupe/actors/participant.hpp"
#include "troupe/actors/transaction.hpp"

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include "troupe/actors/node.hpp"

using namespace troupe::actors;

namespace {

// Field-wise equality, written once per type for the checks below.
bool same(const write_op& a, const write_op& b) {
  return a.key == b.key && a.value == b.value;
}
template <class T, class Eq>
bool same_all(const std::vector<T>& a, const std::vector<T>& b, Eq eq) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!eq(a[i], b[i])) return false;
  return true;
}
bool same(const std::vector<write_op>& a, const std::vector<write_op>& b) {
  return same_all(a, b, [](auto& x, auto& y) { return same(x, y); });
}
bool same(const prepare_request& a, const prepare_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.start_ts == b.start_ts &&
         same(a.writes, b.writes) && a.reads == b.reads &&
         a.isolation == b.isolation && a.primary_key == b.primary_key &&
         a.coordinator == b.coordinator && a.three_phase == b.three_phase &&
         a.peers == b.peers;
}
bool same(const vote& a, const vote& b) {
  return a.txn == b.txn && a.shard == b.shard && a.yes == b.yes &&
         a.code == b.code && a.reason == b.reason &&
         a.conflict_key == b.conflict_key && a.conflict_ts == b.conflict_ts &&
         a.conflict_txn == b.conflict_txn && a.min_commit_ts == b.min_commit_ts;
}
bool same(const commit_request& a, const commit_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.commit_ts == b.commit_ts;
}
bool same(const precommit_request& a, const precommit_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.commit_ts == b.commit_ts;
}
bool same(const abort_request& a, const abort_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.start_ts == b.start_ts;
}
bool same(const one_phase_request& a, const one_phase_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.start_ts == b.start_ts &&
         a.commit_ts == b.commit_ts && same(a.writes, b.writes) &&
         a.reads == b.reads && a.isolation == b.isolation;
}
bool same(const ack& a, const ack& b) {
  return a.txn == b.txn && a.shard == b.shard;
}
bool same(const read_request& a, const read_request& b) {
  return a.shard == b.shard && a.key == b.key && a.ts == b.ts;
}
bool same(const read_reply& a, const read_reply& b) {
  return a.value == b.value;
}
bool same(const std::vector<read_reply>& a, const std::vector<read_reply>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return same(x, y); });
}
bool same(const scan_request& a, const scan_request& b) {
  return a.shard == b.shard && a.prefix == b.prefix && a.ts == b.ts &&
         a.limit == b.limit && a.after == b.after && a.max_bytes == b.max_bytes;
}
bool same(const scan_reply& a, const scan_reply& b) {
  return a.truncated == b.truncated && a.resume == b.resume &&
         same_all(a.rows, b.rows, [](auto& x, auto& y) {
           return x.key == y.key && x.value == y.value;
         });
}
bool same(const validate_request& a, const validate_request& b) {
  return a.txn == b.txn && a.shard == b.shard && a.start_ts == b.start_ts &&
         a.keys == b.keys;
}
bool same(const outcome_request& a, const outcome_request& b) {
  return a.txn == b.txn && a.shard == b.shard;
}
bool same(const txn_outcome& a, const txn_outcome& b) {
  return a.txn == b.txn && a.shard == b.shard && a.state == b.state &&
         a.start_ts == b.start_ts && a.commit_ts == b.commit_ts;
}
bool same(const txn_begin& a, const txn_begin& b) {
  return a.isolation == b.isolation && a.three_phase == b.three_phase &&
         a.prefetch == b.prefetch && a.by_id == b.by_id;
}
bool same(const txn_started& a, const txn_started& b) {
  return a.txn == b.txn && a.start_ts == b.start_ts && same(a.values, b.values);
}
bool same(const txn_get& a, const txn_get& b) {
  return a.key == b.key;
}
bool same(const txn_put& a, const txn_put& b) {
  return a.key == b.key && a.value == b.value;
}
bool same(const txn_erase& a, const txn_erase& b) {
  return a.key == b.key;
}
bool same(const txn_scan& a, const txn_scan& b) {
  return a.prefix == b.prefix && a.limit == b.limit && a.after == b.after &&
         a.max_bytes == b.max_bytes;
}
bool same(const txn_commit& a, const txn_commit& b) {
  return same(a.writes, b.writes);
}
bool same(const txn_committed& a, const txn_committed& b) {
  return a.txn == b.txn && a.commit_ts == b.commit_ts &&
         a.one_phase == b.one_phase;
}
bool same(const txn_abort&, const txn_abort&) {
  return true;
}
bool same(const txn_resolve& a, const txn_resolve& b) {
  return a.txn == b.txn;
}
bool same(const txn_ref& a, const txn_ref& b) {
  return a.txn == b.txn;
}
bool same(const txn_resolution& a, const txn_resolution& b) {
  return a.txn == b.txn && a.state == b.state && a.commit_ts == b.commit_ts;
}
bool same(const txn_get_many& a, const txn_get_many& b) {
  return a.keys == b.keys;
}
bool same(const txn_values& a, const txn_values& b) {
  return same(a.values, b.values);
}

// Keys and values with NUL and high bytes: wire fields are bytes.
const std::string odd_key{"k\0\xff/1", 5};
const std::string odd_value{"\0v\x80", 3};

prepare_request sample_prepare() {
  prepare_request p;
  p.txn = 0xfedcba9876543210ULL;
  p.shard = 65535;
  p.start_ts = 42;
  p.writes = {write_op::put(odd_key, odd_value), write_op::erase("gone"),
              write_op::put("empty", "")};
  p.reads = {"r1", odd_key};
  p.isolation = isolation_level::serializable;
  p.primary_key = odd_key;
  p.coordinator = "node-b";
  p.three_phase = true;
  p.peers = {1, 65535, 7};
  return p;
}

vote sample_no() {
  vote v;
  v.txn = 7;
  v.shard = 3;
  v.code = errc::write_conflict;
  v.reason = "newer version";
  v.conflict_key = odd_key;
  v.conflict_ts = 99;
  v.conflict_txn = 5;
  v.min_commit_ts = 100;
  return v;
}

one_phase_request sample_one_phase() {
  one_phase_request r;
  r.txn = 11;
  r.shard = 2;
  r.start_ts = 20;
  r.commit_ts = 21;
  r.writes = {write_op::put("a", "1"), write_op::erase(odd_key)};
  r.reads = {"x"};
  r.isolation = isolation_level::serializable;
  return r;
}

struct caf_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf_fixture() {
    configure(cfg, 1);
    sys = std::make_unique<caf::actor_system>(cfg);
  }

  template <class T>
  void check(const T& x) {
    T via_pb;
    BOOST_REQUIRE(decode(encode(x), via_pb));
    BOOST_CHECK(same(x, via_pb));
    std::vector<char> buf;
    caf::binary_serializer sink{*sys, buf};
    auto copy = x;
    BOOST_REQUIRE(!sink(copy));
    T via_caf;
    caf::binary_deserializer source{*sys, buf};
    BOOST_REQUIRE(!source(via_caf));
    BOOST_CHECK(same(x, via_caf));
  }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(participant_messages_round_trip, caf_fixture) {
  check(sample_prepare());
  check(prepare_request{}); // all defaults
  check(sample_no());
  check(vote{1, 2, true, errc::internal, {}, {}, 0, 0, 0});
  check(commit_request{1, 2, 3});
  check(precommit_request{1, 2, 3});
  check(abort_request{4, 5, 6});
  check(sample_one_phase());
  check(ack{8, 9});
  check(read_request{3, odd_key, 77});
  check(read_reply{odd_value});
  check(read_reply{std::string{}}); // present but empty differs from absent
  check(read_reply{std::nullopt});
  check(scan_request{1, odd_key, 5, 10, {}, 0});
  check(scan_request{1, odd_key, 5, 0, odd_key + "z", 65536});
  check(scan_reply{{{odd_key, odd_value}, {"b", ""}}, true, "b"});
  check(validate_request{5, 6, 7, {odd_key, "b"}});
  check(outcome_request{12, 13});
  check(txn_outcome{12, 13, outcome_state::committed, 5, 9});
  check(txn_outcome{12, 13, outcome_state::prepared, 5, 0});
  check(txn_outcome{12, 13, outcome_state::precommitted, 5, 9});
}

BOOST_FIXTURE_TEST_CASE(transaction_messages_round_trip, caf_fixture) {
  check(txn_begin{isolation_level::serializable, false, {}});
  check(txn_begin{isolation_level::snapshot, true, {}});
  check(txn_begin{isolation_level::snapshot, false, {odd_key, "", "b"}});
  check(txn_begin{isolation_level::snapshot, false, {"a"}, true});
  check(txn_ref{0xfffffffffffffffeULL});
  check(txn_started{0xffffffffffffffffULL, 1, {}});
  check(txn_started{7, 8, {read_reply{odd_value}, read_reply{}}});
  check(txn_get{odd_key});
  check(txn_put{odd_key, odd_value});
  check(txn_erase{odd_key});
  check(txn_scan{"acct/", 100, {}, 0});
  check(txn_scan{"acct/", 0, "acct/17", 4096});
  check(txn_commit{});
  check(txn_commit{{write_op::put(odd_key, odd_value), write_op::erase("b")}});
  check(txn_committed{3, 44, true});
  check(txn_abort{});
  check(txn_get_many{{odd_key, "", "b"}});
  check(txn_resolve{77});
  check(txn_resolution{77, resolution::committed, 99});
  check(txn_resolution{78, resolution::aborted, 0});
  check(txn_resolution{79, resolution::pending, 0});
  check(txn_values{{read_reply{odd_value}, read_reply{std::string{}},
                    read_reply{std::nullopt}}});
}

BOOST_AUTO_TEST_CASE(empty_and_deleted_values_stay_apart) {
  read_reply empty{std::string{}};
  read_reply absent;
  BOOST_REQUIRE(decode(encode(empty), absent));
  BOOST_CHECK(absent.value.has_value());
  read_reply none{std::nullopt};
  BOOST_REQUIRE(decode(encode(none), empty));
  BOOST_CHECK(!empty.value.has_value());
}

BOOST_AUTO_TEST_CASE(out_of_range_enums_are_rejected) {
  // Field 6 (isolation) = 7, field 3 (state) = 9, field 4 (code) = 0 / 200.
  prepare_request p;
  BOOST_CHECK(!decode(std::string{"\x30\x07", 2}, p));
  txn_outcome o;
  BOOST_CHECK(!decode(std::string{"\x18\x09", 2}, o));
  vote v;
  BOOST_CHECK(!decode(std::string{}, v)); // code 0 is not an errc
  BOOST_CHECK(!decode(std::string{"\x20\xc8\x01", 3}, v));
  txn_begin b;
  BOOST_CHECK(!decode(std::string{"\x08\x02", 2}, b));
}

BOOST_FIXTURE_TEST_CASE(malformed_bytes_are_rejected_and_counted, caf_fixture) {
  auto bytes = encode(sample_prepare());
  prepare_request p;
  BOOST_CHECK(!decode(bytes.substr(0, bytes.size() - 3), p));
  auto before = dropped_messages();
  std::vector<char> buf;
  caf::binary_serializer sink{*sys, buf};
  std::string garbage{"\x22\xff\xff\xff", 4};
  BOOST_REQUIRE(!sink(garbage));
  caf::binary_deserializer source{*sys, buf};
  one_phase_request r;
  BOOST_CHECK(source(r)); // an error, not a crash
  BOOST_CHECK_EQUAL(dropped_messages(), before + 1);
}

BOOST_AUTO_TEST_CASE(a_no_vote_becomes_a_typed_error) {
  auto err = sample_no().to_error();
  BOOST_CHECK(is(err, errc::write_conflict));
  BOOST_CHECK(retry_class_of(err) == retry_class::retry_transaction);
  vote yes;
  yes.yes = true;
  BOOST_CHECK(!yes.to_error());
}
