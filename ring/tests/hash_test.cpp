// Ring positions are persistent state: these vectors pin the hash function,
// the seed and the byte encodings so that every build and machine agrees.
#include "troupe/ring/hash.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "troupe/ring/modulo.hpp"

using namespace troupe::ring;

BOOST_AUTO_TEST_CASE(seed_is_troupe_in_ascii) {
  BOOST_CHECK_EQUAL(hash_seed, 0x74726f757065ULL);
}

BOOST_AUTO_TEST_CASE(key_hashes_match_fixed_vectors) {
  BOOST_CHECK_EQUAL(hash_key(""), 0xa74665d87c5b34f5ULL);
  BOOST_CHECK_EQUAL(hash_key("a"), 0xaad96c2ee3a2f8c3ULL);
  BOOST_CHECK_EQUAL(hash_key("alice"), 0x488c5706b4f7d978ULL);
  BOOST_CHECK_EQUAL(hash_key("bob"), 0x54ec1269100c4d41ULL);
  BOOST_CHECK_EQUAL(hash_key("account/42"), 0xdbe408c0cb65511fULL);
  BOOST_CHECK_EQUAL(hash_key("order:1001"), 0xfe3c0a47df5d85a3ULL);
  BOOST_CHECK_EQUAL(hash_key("troupe"), 0x58a9c7a091070b60ULL);
}

BOOST_AUTO_TEST_CASE(vnode_position_hashes_name_hash_sign_decimal_index) {
  BOOST_CHECK_EQUAL(hash_vnode("n1", 0), 0x3fed63870a5456c7ULL);
  BOOST_CHECK_EQUAL(hash_vnode("n1", 0), hash_key("n1#0"));
  BOOST_CHECK_EQUAL(hash_vnode("n1", 4095), hash_key("n1#4095"));
  BOOST_CHECK_EQUAL(hash_vnode("node-b", 4294967295u),
                    hash_key("node-b#4294967295"));
  // Names longer than the stack buffer take the same bytes.
  std::string long_name(300, 'x');
  BOOST_CHECK_EQUAL(hash_vnode(long_name, 17), hash_key(long_name + "#17"));
}

BOOST_AUTO_TEST_CASE(shard_position_hashes_eight_little_endian_bytes) {
  BOOST_CHECK_EQUAL(hash_shard(0), 0xd9b6bfc2acddd408ULL);
  BOOST_CHECK_EQUAL(hash_shard(1), 0xf91bd387111b3f86ULL);
  BOOST_CHECK_EQUAL(hash_shard(0x01020304),
                    hash_key(std::string{"\x04\x03\x02\x01\0\0\0\0", 8}));
}

BOOST_AUTO_TEST_CASE(shard_of_is_key_hash_modulo_shard_count) {
  BOOST_CHECK_EQUAL(shard_of("", 64), 53u);
  BOOST_CHECK_EQUAL(shard_of("a", 64), 3u);
  BOOST_CHECK_EQUAL(shard_of("alice", 64), 56u);
  BOOST_CHECK_EQUAL(shard_of("bob", 64), 1u);
  BOOST_CHECK_EQUAL(shard_of("account/42", 64), 31u);
  BOOST_CHECK_EQUAL(shard_of("order:1001", 64), 35u);
  BOOST_CHECK_EQUAL(shard_of("troupe", 64), 32u);
  BOOST_CHECK_EQUAL(shard_of("alice", 1), 0u);
  BOOST_CHECK_EQUAL(shard_of("alice", 1000), hash_key("alice") % 1000);
}

BOOST_AUTO_TEST_CASE(a_hash_tag_places_keys_together) {
  BOOST_CHECK_EQUAL(hash_tag_of("acct/{alice}"), "alice");
  BOOST_CHECK_EQUAL(hash_tag_of("journal/{alice}/t9"), "alice");
  BOOST_CHECK_EQUAL(hash_tag_of("{a}{b}"), "a");        // the first tag
  BOOST_CHECK_EQUAL(hash_tag_of("x{}y{z}"), "x{}y{z}"); // empty: whole key
  BOOST_CHECK_EQUAL(hash_tag_of("x{y"), "x{y");         // unclosed: whole key
  BOOST_CHECK_EQUAL(hash_tag_of("x}y{"), "x}y{");
  BOOST_CHECK_EQUAL(hash_tag_of("{{a}}"), "{a");        // first '}' after '{'
  BOOST_CHECK_EQUAL(shard_of("acct/{alice}", 64), 56u); // = shard_of("alice")
  BOOST_CHECK_EQUAL(shard_of("journal/{alice}/t9", 64), 56u);
  BOOST_CHECK_EQUAL(shard_of("{bob}", 64), 1u);
  BOOST_CHECK_EQUAL(shard_of("x{}", 64), hash_key("x{}") % 64);
}

BOOST_AUTO_TEST_CASE(modulo_baseline_is_one_based_remainder) {
  BOOST_CHECK_EQUAL(modulo_node(0, 10), 1u);
  BOOST_CHECK_EQUAL(modulo_node(9, 10), 10u);
  BOOST_CHECK_EQUAL(modulo_node(10, 10), 1u);
  BOOST_CHECK_EQUAL(modulo_node(~0ULL, 7),
                    static_cast<unsigned>(~0ULL % 7) + 1);
}
