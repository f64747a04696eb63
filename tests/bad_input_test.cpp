// Garbage on a node's port: random bytes, a truncated frame and an
// oversized frame each get the connection dropped with a logged reason and
// a counter, and the node keeps serving `troupe status`.
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster_harness.hpp"

using namespace std::chrono_literals;
using troupe::test::local_cluster;
using troupe::test::wait_until;

namespace {

/// Connects to 127.0.0.1:port, sends `bytes`, optionally half-closes, and
/// returns true when the node closes the connection within 5 s.
bool node_closes_after(std::uint16_t port, const std::string& bytes,
                       bool half_close) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ==
                0);
  // The node may reject the first bytes and close while we still write the
  // rest: a failed send (EPIPE, ECONNRESET) is the drop we are testing for.
  auto sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  if (sent != static_cast<ssize_t>(bytes.size())) {
    BOOST_CHECK_MESSAGE(sent >= 0 || errno == EPIPE || errno == ECONNRESET,
                        "send failed: " << std::strerror(errno));
    close(fd);
    return true;
  }
  if (half_close) shutdown(fd, SHUT_WR);
  bool closed = false;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  char buf[4096];
  while (!closed && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    auto n = recv(fd, buf, sizeof buf, 0);
    closed = n <= 0; // EOF or reset: the node dropped us
  }
  close(fd);
  return closed;
}

std::string frame_header(std::uint8_t op, std::uint32_t payload_len) {
  std::string h(32, '\0');
  h[0] = static_cast<char>(op);
  auto be = htonl(payload_len);
  std::memcpy(h.data() + 4, &be, 4);
  return h;
}

std::uint64_t dropped(local_cluster& c) {
  auto j = c.status();
  return j.is_object() && j.contains("dropped_messages")
           ? j["dropped_messages"].get<std::uint64_t>()
           : 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(garbage_is_dropped_logged_and_counted) {
  local_cluster c{TROUPE_BIN, 2};
  c.start_all();
  BOOST_REQUIRE_MESSAGE(wait_until(20s, [&] { return c.all_up(); }),
                        "cluster did not come up: " << c.status().dump() << "\n"
                                                    << c.diagnose("n1"));
  auto port = c.port("n1");

  std::mt19937 rng{42};
  std::string random_bytes(64 * 1024, '\0');
  for (auto& ch : random_bytes)
    ch = static_cast<char>(rng());
  random_bytes[0] = static_cast<char>(0xd7); // not a frame operation
  BOOST_CHECK(node_closes_after(port, random_bytes, false));
  BOOST_CHECK(node_closes_after(port, frame_header(1, 0xFFFFFFF0u), false));
  BOOST_CHECK(
    node_closes_after(port, frame_header(1, 100) + "only-part", true));
  BOOST_CHECK(node_closes_after(port, std::string(3, '\0'), true));

  BOOST_CHECK(wait_until(5s, [&] { return dropped(c) >= 4; }));
  auto log = c.log("n1");
  BOOST_CHECK(log.find("unknown frame operation 0xd7") != std::string::npos);
  BOOST_CHECK(log.find("exceeds max_message_bytes") != std::string::npos);
  BOOST_CHECK(log.find("payload bytes of a frame missing") !=
              std::string::npos);
  BOOST_CHECK(log.find("inside a frame header (3 of 32 bytes)") !=
              std::string::npos);
  // Still serving, and its peer still sees it up.
  auto states = c.states();
  BOOST_CHECK_EQUAL(states["n1"], "up");
  BOOST_CHECK_EQUAL(states["n2"], "up");
}
