// The scan answer's hand-written wire codec against the protobuf code
// generated from txn.proto: the same bytes out, the same rows in, and the
// same verdict on truncated or malformed input.
#include "troupe/actors/participant_messages.hpp"

#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "txn.pb.h"

using namespace troupe::actors;

namespace {

std::string random_bytes(std::mt19937& rng, std::size_t max) {
  std::uniform_int_distribution<std::size_t> len{0, max};
  std::uniform_int_distribution<int> byte{0, 255};
  std::string s(len(rng), '\0');
  for (auto& c : s)
    c = static_cast<char>(byte(rng));
  return s;
}

scan_reply random_reply(std::mt19937& rng) {
  scan_reply r;
  std::uniform_int_distribution<int> rows{0, 40};
  for (int i = rows(rng); i > 0; --i)
    // Values up to 300 bytes: lengths of one and two varint bytes.
    r.rows.push_back({random_bytes(rng, 20), random_bytes(rng, 300)});
  r.truncated = rng() % 2 == 0;
  if (r.truncated) r.resume = random_bytes(rng, 20);
  return r;
}

std::string by_protobuf(const scan_reply& x) {
  troupe::wire::ScanReply pb;
  for (const auto& kv : x.rows) {
    auto* row = pb.add_rows();
    row->set_key(kv.key);
    row->set_value(kv.value);
  }
  pb.set_truncated(x.truncated);
  pb.set_resume(x.resume);
  return pb.SerializeAsString();
}

/// What protobuf makes of `bytes`: nullopt when it rejects them.
std::optional<scan_reply> parse_by_protobuf(const std::string& bytes) {
  troupe::wire::ScanReply pb;
  if (!pb.ParseFromString(bytes)) return std::nullopt;
  scan_reply out;
  for (const auto& row : pb.rows())
    out.rows.push_back({row.key(), row.value()});
  out.truncated = pb.truncated();
  out.resume = pb.resume();
  return out;
}

bool same(const scan_reply& a, const scan_reply& b) {
  if (a.truncated != b.truncated || a.resume != b.resume ||
      a.rows.size() != b.rows.size())
    return false;
  for (std::size_t i = 0; i < a.rows.size(); ++i)
    if (a.rows[i].key != b.rows[i].key || a.rows[i].value != b.rows[i].value)
      return false;
  return true;
}

/// Both codecs accept `bytes` or both reject them, and agree on the rows.
void check_agree(const std::string& bytes) {
  auto expected = parse_by_protobuf(bytes);
  scan_reply got;
  bool ok = decode(bytes, got);
  BOOST_REQUIRE_EQUAL(ok, expected.has_value());
  if (ok) BOOST_REQUIRE(same(got, *expected));
}

} // namespace

BOOST_AUTO_TEST_CASE(encodes_what_protobuf_encodes) {
  std::mt19937 rng{7};
  for (int i = 0; i < 300; ++i) {
    auto r = random_reply(rng);
    auto bytes = encode(r);
    BOOST_REQUIRE(bytes == by_protobuf(r));
    scan_reply back;
    BOOST_REQUIRE(decode(bytes, back));
    BOOST_REQUIRE(same(back, r));
  }
  // Empty keys and values are left out, as protobuf leaves them out.
  scan_reply empty{{{"", ""}, {"k", ""}}, false, ""};
  BOOST_CHECK(encode(empty) == by_protobuf(empty));
}

BOOST_AUTO_TEST_CASE(decodes_what_protobuf_decodes) {
  std::mt19937 rng{11};
  for (int i = 0; i < 200; ++i) {
    auto bytes = encode(random_reply(rng));
    // Every truncation: some end on a field boundary (valid), most not.
    for (std::size_t cut = 0; cut < bytes.size(); cut += 1 + rng() % 7)
      check_agree(bytes.substr(0, cut));
    // Random byte flips.
    for (int k = 0; k < 20 && !bytes.empty(); ++k) {
      auto mutated = bytes;
      mutated[rng() % mutated.size()] = static_cast<char>(rng() % 256);
      check_agree(mutated);
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_fields_and_odd_orders_parse_like_protobuf) {
  const std::string cases[] = {
    // resume before the rows, truncated given twice (the last wins)
    std::string{"\x1a\x01z\x10\x01\x0a\x04\x0a\x02k1\x10\x00", 13},
    // a row with value before key, an unknown varint field 9 and an
    // unknown fixed64 field 5 inside it
    std::string{"\x0a\x11\x12\x01v\x48\x05\x29\x01\x02\x03\x04\x05\x06\x07"
                "\x08\x0a\x01k",
                19},
    // a key given twice in one row (the last wins)
    std::string{"\x0a\x06\x0a\x01"
                "a\x0a\x01"
                "b",
                8},
    // field 1 with the wrong wire type (varint): skipped as unknown
    std::string{"\x08\x05", 2},
    // tag 0, an end-group tag without a start, a row longer than the input
    std::string{"\x00", 1},
    std::string{"\x0c", 1},
    std::string{"\x0a\x05\x0a\x01k", 5},
    // a length that overflows
    std::string{"\x0a\xff\xff\xff\xff\x0f", 6},
  };
  for (const auto& bytes : cases)
    check_agree(bytes);
}
