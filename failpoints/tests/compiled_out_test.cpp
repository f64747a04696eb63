// A translation unit built without TROUPE_FAILPOINTS (as in Release): its
// sites are constant `false`, register nothing and ignore configuration.
#undef TROUPE_FAILPOINTS
#include "troupe/failpoints/failpoints.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

namespace fp = troupe::failpoints;

// Constant expressions: no load, no call, nothing left at run time.
static_assert(!fp::compiled_in);
static_assert(!TROUPE_FAILPOINT("test.compiled_out"));

BOOST_AUTO_TEST_CASE(sites_are_constant_false_and_unregistered) {
  auto names = fp::list();
  BOOST_CHECK(std::find(names.begin(), names.end(), "test.compiled_out") ==
              names.end());
  // No site of that name exists, so it cannot even be configured.
  BOOST_CHECK(!fp::set("test.compiled_out", "error").ok());
  int calls = 0;
  TROUPE_FAILPOINT_CALL("test.compiled_out", [&calls] { ++calls; });
  BOOST_CHECK_EQUAL(calls, 0);
}
