// How store errors read once they are troupe errors: `describe` names the
// troupe code, so the reason names the store's code only when it says more.
#include "error_map.hpp"

#include <boost/test/unit_test.hpp>

#include "troupe/actors/errc.hpp"

using namespace troupe;
using participants::to_error;
using participants::to_vote;
using participants::write_kind;

BOOST_AUTO_TEST_CASE(a_store_code_equal_to_the_troupe_code_is_said_once) {
  mvcc::error e{mvcc::errc::locked, "key 'k' is locked by txn 7", "k", 3, 7};
  auto v = to_vote(mvcc::status{e}, 9, 1, write_kind::prepare);
  BOOST_CHECK(!v.yes);
  BOOST_CHECK(v.code == actors::errc::locked);
  BOOST_CHECK_EQUAL(v.reason, "key 'k' is locked by txn 7");
  BOOST_CHECK_EQUAL(actors::describe(to_error(e)),
                    "locked: key 'k' is locked by txn 7 (retry_transaction)");
}

BOOST_AUTO_TEST_CASE(a_store_code_that_says_more_is_kept_in_the_reason) {
  mvcc::error e{mvcc::errc::txn_aborted, "txn 9 was aborted", "", 0, 9};
  auto v = to_vote(mvcc::status{e}, 9, 1, write_kind::prepare);
  BOOST_CHECK(v.code == actors::errc::aborted);
  BOOST_CHECK_EQUAL(v.reason, "txn_aborted: txn 9 was aborted");
  BOOST_CHECK_EQUAL(actors::describe(to_error(e), false),
                    "aborted: txn_aborted: txn 9 was aborted");
}
