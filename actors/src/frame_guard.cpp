// The frame guard: CAF's doorman and scribe for the public port, with every
// inbound byte checked by a frame_checker as CAF's event loop reads it.
// Mirrors CAF 0.17.6's doorman_impl / scribe_impl (public headers), with a
// checking read policy in place of policy::tcp.
#include "troupe/actors/frame_guard.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <set>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/doorman_impl.hpp>
#include <caf/io/network/stream_impl.hpp>
#include <caf/policy/tcp.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "frame_checker.hpp"
#include "troupe/actors/wire.hpp"

namespace troupe::actors {

namespace net = caf::io::network;

struct frame_guard::shared {
  std::string node;
  std::uint32_t max_payload = 0;
  std::shared_ptr<spdlog::logger> log;
  std::atomic<std::uint64_t> rejected{0};

  void reject(net::native_socket fd, const std::string& why) {
    log->warn("[{}] dropped connection from {}: {}", node, peer_name(fd), why);
    rejected.fetch_add(1);
    count_dropped_message();
  }

  static std::string peer_name(net::native_socket fd) {
    auto host = net::remote_addr_of_fd(fd);
    auto port = net::remote_port_of_fd(fd);
    if (!host || !port) return "unknown peer";
    return *host + ":" + std::to_string(*port);
  }
};

namespace detail {

std::string frame_checker::feed(const char* data, std::size_t n) {
  while (n > 0) {
    if (payload_left_ > 0) {
      auto k = std::min<std::uint64_t>(payload_left_, n);
      payload_left_ -= k;
      data += k;
      n -= k;
      continue;
    }
    auto k = std::min(header_size - header_fill_, n);
    std::memcpy(header_ + header_fill_, data, k);
    header_fill_ += k;
    data += k;
    n -= k;
    if (header_fill_ < header_size) break;
    header_fill_ = 0;
    auto op = static_cast<std::uint8_t>(header_[0]);
    std::uint32_t len = 0;
    std::memcpy(&len, header_ + 4, 4);
    len = ntohl(len);
    if (op > max_operation)
      return "unknown frame operation 0x" + fmt::format("{:02x}", op);
    if (first_ && op != client_handshake)
      return "first frame is operation 0x" + fmt::format("{:02x}", op) +
             ", not a client handshake";
    if (len > max_payload_)
      return "frame payload of " + std::to_string(len) +
             " bytes exceeds max_message_bytes " + std::to_string(max_payload_);
    first_ = false;
    payload_left_ = len;
  }
  return {};
}

std::string frame_checker::describe_unfinished() const {
  if (header_fill_ > 0)
    return "connection ended inside a frame header (" +
           std::to_string(header_fill_) + " of " + std::to_string(header_size) +
           " bytes)";
  return "connection ended with " + std::to_string(payload_left_) +
         " payload bytes of a frame missing";
}

} // namespace detail

namespace {

/// CAF's TCP policy with every byte read fed to a frame_checker. A bad
/// frame reads as a failed connection: CAF then closes it and tells BASP,
/// exactly as when the peer hangs up, so BASP never sees the bad bytes.
///
/// Reads ahead: CAF asks for a frame's header and then its payload, each
/// with a read of its own, and reads once more to find the socket empty
/// (three `recv` calls per message, most of the recvfrom calls of a bank
/// transfer). This policy takes what the socket holds with one `recv` into
/// a buffer of its own and hands it out from there; `must_read_more` keeps
/// CAF's read loop going while the buffer holds bytes. Once a `recv`
/// returned less than it could hold (the socket was empty), the read after
/// the buffer runs dry reports no bytes instead of asking the socket again:
/// CAF's epoll is level-triggered, so bytes that arrive meanwhile wake the
/// loop again.
class checked_tcp {
 public:
  explicit checked_tcp(std::shared_ptr<frame_guard::shared> s)
    : shared_(std::move(s)), checker_(shared_->max_payload) {}

  net::rw_state read_some(std::size_t& result, net::native_socket fd, void* buf,
                          std::size_t len) {
    result = 0;
    if (closed_) return net::rw_state::failure;
    if (next_ == end_) {
      if (drained_) {
        drained_ = false;
        return net::rw_state::success; // nothing now; epoll says when
      }
      if (ahead_.empty()) ahead_.resize(read_ahead_bytes);
      std::size_t got = 0;
      auto st =
        caf::policy::tcp::read_some(got, fd, ahead_.data(), ahead_.size());
      if (st == net::rw_state::failure && checker_.inside_frame()) {
        closed_ = true;
        shared_->reject(fd, checker_.describe_unfinished());
      }
      if (st != net::rw_state::success || got == 0) return st;
      next_ = 0;
      end_ = got;
      drained_ = got < ahead_.size();
    }
    auto n = std::min(len, end_ - next_);
    const char* bytes = ahead_.data() + next_;
    if (auto why = checker_.feed(bytes, n); !why.empty()) {
      closed_ = true;
      shared_->reject(fd, why);
      return net::rw_state::failure;
    }
    std::memcpy(buf, bytes, n);
    next_ += n;
    result = n;
    return net::rw_state::success;
  }

  static net::rw_state write_some(std::size_t& result, net::native_socket fd,
                                  const void* buf, std::size_t len) {
    return caf::policy::tcp::write_some(result, fd, buf, len);
  }

  static bool try_accept(net::native_socket& result, net::native_socket fd) {
    return caf::policy::tcp::try_accept(result, fd);
  }

  [[nodiscard]] bool must_read_more(net::native_socket, std::size_t) const {
    return next_ < end_;
  }

 private:
  static constexpr std::size_t read_ahead_bytes = 64 * 1024;

  std::shared_ptr<frame_guard::shared> shared_;
  detail::frame_checker checker_;
  bool closed_ = false;
  std::vector<char> ahead_; ///< bytes read, handed out from next_ to end_
  std::size_t next_ = 0;
  std::size_t end_ = 0;
  bool drained_ = false; ///< the last recv emptied the socket
};

/// CAF's scribe_impl with the checking policy.
class guarded_scribe final : public caf::io::scribe {
 public:
  guarded_scribe(net::default_multiplexer& mx, net::native_socket fd,
                 std::shared_ptr<frame_guard::shared> s)
    : scribe(net::conn_hdl_from_socket(fd)), stream_(mx, fd, std::move(s)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_) {
      launched_ = true;
      stream_.start(this);
    }
  }

  void ack_writes(bool enable) override { stream_.ack_writes(enable); }

  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }

  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }

  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }

  void flush() override { stream_.flush(this); }

  std::string addr() const override {
    auto x = net::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string{};
  }

  std::uint16_t port() const override {
    auto x = net::remote_port_of_fd(stream_.fd());
    return x ? *x : 0;
  }

  void add_to_loop() override { stream_.activate(this); }

  void remove_from_loop() override { stream_.passivate(); }

 private:
  bool launched_ = false;
  net::stream_impl<checked_tcp> stream_;
};

/// CAF's doorman_impl, handing out guarded scribes.
class guarded_doorman final : public net::doorman_impl {
 public:
  guarded_doorman(net::default_multiplexer& mx, net::native_socket fd,
                  std::shared_ptr<frame_guard::shared> s)
    : doorman_impl(mx, fd), shared_(std::move(s)) {}

  bool new_connection() override {
    if (detached()) return false;
    auto& mx = acceptor_.backend();
    auto fd = acceptor_.accepted_socket();
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto ptr = caf::make_counted<guarded_scribe>(mx, fd, shared_);
    auto hdl = ptr->hdl();
    parent()->add_scribe(std::move(ptr));
    return doorman::new_connection(&mx, hdl);
  }

 private:
  std::shared_ptr<frame_guard::shared> shared_;
};

caf::error os_error(const std::string& what) {
  return caf::make_error(caf::sec::cannot_open_port,
                         what + ": " + std::strerror(errno));
}

/// Binds and listens on host:port (SO_REUSEADDR, non-blocking).
caf::expected<int> listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  auto service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
      rc != 0)
    return caf::make_error(caf::sec::cannot_open_port,
                           "cannot resolve " + host + ": " + gai_strerror(rc));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool bound = bind(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!bound || listen(fd, 128) != 0) {
    auto err = os_error("cannot listen on " + host + ":" + service);
    close(fd);
    return err;
  }
  return fd;
}

} // namespace

caf::expected<std::unique_ptr<frame_guard>>
frame_guard::start(caf::actor_system& sys, const caf::actor& whom,
                   options opts) {
  auto fd = listen_on(opts.listen_host, opts.listen_port);
  if (!fd) return fd.error();
  std::unique_ptr<frame_guard> g{new frame_guard};
  g->sys_ = &sys;
  g->shared_ = std::make_shared<shared>();
  g->shared_->node = std::move(opts.node);
  g->shared_->max_payload = opts.max_message_bytes;
  g->shared_->log = opts.log ? opts.log : spdlog::default_logger();
  auto& mm = sys.middleman();
  auto& mx = static_cast<net::default_multiplexer&>(mm.backend());
  auto door = caf::make_counted<guarded_doorman>(mx, *fd, g->shared_);
  g->port_ = door->port();
  // What middleman().publish does once it has a doorman (CAF 0.17.6,
  // middleman_actor_impl::put): hand it to the BASP broker.
  auto basp = mm.named_broker<caf::io::basp_broker>(caf::atom("BASP"));
  caf::anon_send(basp, caf::publish_atom::value,
                 caf::io::doorman_ptr{std::move(door)}, g->port_,
                 caf::actor_cast<caf::strong_actor_ptr>(whom),
                 std::set<std::string>{});
  return g;
}

frame_guard::~frame_guard() {
  if (sys_ != nullptr)
    caf::anon_send(sys_->middleman().actor_handle(), caf::close_atom::value,
                   port_);
}

std::uint64_t frame_guard::rejected() const {
  return shared_->rejected.load();
}

} // namespace troupe::actors
