#include "troupe/actors/frame_guard.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/error.hpp>
#include <caf/sec.hpp>
#include <spdlog/spdlog.h>

#include "relay.hpp"
#include "troupe/actors/wire.hpp"

namespace troupe::actors {

namespace {

caf::error os_error(const std::string& what) {
  return caf::make_error(caf::sec::cannot_open_port,
                         what + ": " + std::strerror(errno));
}

} // namespace

caf::expected<std::unique_ptr<frame_guard>> frame_guard::start(options opts) {
  std::unique_ptr<frame_guard> g{new frame_guard};
  g->opts_ = std::move(opts);
  if (!g->opts_.log) g->opts_.log = spdlog::default_logger();
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  auto port = std::to_string(g->opts_.listen_port);
  if (int rc =
        getaddrinfo(g->opts_.listen_host.c_str(), port.c_str(), &hints, &res);
      rc != 0)
    return caf::make_error(caf::sec::cannot_open_port,
                           "cannot resolve " + g->opts_.listen_host + ": " +
                             gai_strerror(rc));
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool bound = bind(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!bound || listen(fd, 128) != 0) {
    auto err =
      os_error("cannot listen on " + g->opts_.listen_host + ":" + port);
    close(fd);
    return err;
  }
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  g->port_ = ntohs(addr.sin_port);
  g->listen_fd_ = fd;
  if (pipe2(g->wake_, O_CLOEXEC) != 0) return os_error("pipe");
  g->thread_ = std::thread{[raw = g.get()] { raw->run(); }};
  return g;
}

frame_guard::~frame_guard() {
  if (wake_[1] >= 0) {
    char c = 0;
    (void)!write(wake_[1], &c, 1);
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : {listen_fd_, wake_[0], wake_[1]})
    if (fd >= 0) close(fd);
}

void frame_guard::run() {
  detail::relay relay{opts_.node, opts_.backend_port, opts_.max_message_bytes,
                      opts_.log};
  relay.on_reject = [this] {
    rejected_.fetch_add(1);
    count_dropped_message();
  };
  relay.run(listen_fd_, wake_[0]);
}

} // namespace troupe::actors
