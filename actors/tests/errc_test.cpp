#include "troupe/actors/errc.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/sec.hpp>

using namespace troupe::actors;

BOOST_AUTO_TEST_CASE(each_code_has_its_documented_retry_class) {
  BOOST_CHECK(retry_class_of(errc::unavailable) == retry_class::retry_call);
  BOOST_CHECK(retry_class_of(errc::timeout) == retry_class::retry_call);
  BOOST_CHECK(retry_class_of(errc::write_conflict) ==
              retry_class::retry_transaction);
  BOOST_CHECK(retry_class_of(errc::locked) == retry_class::retry_transaction);
  BOOST_CHECK(retry_class_of(errc::too_large) == retry_class::do_not_retry);
  BOOST_CHECK(retry_class_of(errc::outcome_unknown) ==
              retry_class::do_not_retry);
}

BOOST_AUTO_TEST_CASE(errors_carry_code_reason_and_class) {
  auto err = make_error(errc::unavailable, "node n2 is down");
  BOOST_CHECK(is(err, errc::unavailable));
  BOOST_CHECK(!is(err, errc::timeout));
  BOOST_CHECK(err.category() == errc_category);
  BOOST_CHECK(retry_class_of(err) == retry_class::retry_call);
  BOOST_CHECK(err.context().match_elements<std::string>());
  BOOST_CHECK_EQUAL(err.context().get_as<std::string>(0), "node n2 is down");
}

BOOST_AUTO_TEST_CASE(caf_connection_errors_are_retryable_calls) {
  BOOST_CHECK(retry_class_of(caf::make_error(caf::sec::request_timeout)) ==
              retry_class::retry_call);
  BOOST_CHECK(retry_class_of(caf::make_error(caf::sec::invalid_argument)) ==
              retry_class::do_not_retry);
  BOOST_CHECK(retry_class_of(caf::error{}) == retry_class::do_not_retry);
}

BOOST_AUTO_TEST_CASE(describe_names_code_reason_and_retry_class) {
  BOOST_CHECK_EQUAL(describe(make_error(errc::locked, "key k held by txn 7")),
                    "locked: key k held by txn 7 (retry_transaction)");
  auto caf_err = caf::make_error(caf::sec::request_timeout);
  BOOST_CHECK_EQUAL(describe(caf_err), "request_timeout (retry_call)");
}
