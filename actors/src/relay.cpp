#include "relay.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace troupe::actors::detail {

namespace {

constexpr std::size_t max_pending = 1u << 20; // stop reading beyond this

void set_socket_options(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

std::string peer_name(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return "unknown peer";
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &addr.sin_addr, buf, sizeof buf);
  return std::string{buf} + ":" + std::to_string(ntohs(addr.sin_port));
}

} // namespace

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

struct relay::pair {
  int client = -1;
  int backend = -1;
  std::string peer;
  std::string to_backend;
  std::string to_client;
  frame_checker checker;
  explicit pair(std::uint32_t max) : checker(max) {}
};

relay::relay(std::string node, std::uint16_t backend_port,
             std::uint32_t max_payload, std::shared_ptr<spdlog::logger> log)
  : node_(std::move(node)), backend_port_(backend_port),
    max_payload_(max_payload), log_(std::move(log)) {}

relay::~relay() {
  while (!pairs_.empty())
    close_pair(pairs_.begin()->first);
}

void relay::accept_one(int listen_fd) {
  int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (client < 0) return;
  int backend = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(backend_port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Loopback connect to our own listening endpoint completes in the kernel.
  if (connect(backend, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    log_->error("[{}] guard cannot reach the node endpoint: {}", node_,
                std::strerror(errno));
    close(client);
    close(backend);
    return;
  }
  set_socket_options(client);
  set_socket_options(backend);
  auto p = std::make_unique<pair>(max_payload_);
  p->client = client;
  p->backend = backend;
  p->peer = peer_name(client);
  pairs_.emplace(client, std::move(p));
}

void relay::close_pair(int client_fd) {
  auto i = pairs_.find(client_fd);
  if (i == pairs_.end()) return;
  close(i->second->client);
  close(i->second->backend);
  pairs_.erase(i);
}

bool relay::flush(pair& p, bool to_backend) {
  auto& buf = to_backend ? p.to_backend : p.to_client;
  int fd = to_backend ? p.backend : p.client;
  while (!buf.empty()) {
    auto n = send(fd, buf.data(), buf.size(), MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    buf.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

bool relay::pump(pair& p, bool from_client) {
  char buf[64 * 1024];
  int fd = from_client ? p.client : p.backend;
  auto n = recv(fd, buf, sizeof buf, 0);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0) {
    if (from_client && p.checker.inside_frame()) {
      log_->warn("[{}] dropped connection from {}: {}", node_, p.peer,
                 p.checker.describe_unfinished());
      if (on_reject) on_reject();
    }
    return false;
  }
  if (from_client) {
    auto reason = p.checker.feed(buf, static_cast<std::size_t>(n));
    if (!reason.empty()) {
      log_->warn("[{}] dropped connection from {}: {}", node_, p.peer, reason);
      if (on_reject) on_reject();
      return false;
    }
    p.to_backend.append(buf, static_cast<std::size_t>(n));
    return flush(p, true);
  }
  p.to_client.append(buf, static_cast<std::size_t>(n));
  return flush(p, false);
}

void relay::run(int listen_fd, int wake_fd) {
  std::vector<pollfd> fds;
  std::vector<std::pair<int, bool>> owners; // client fd, is client side
  for (;;) {
    fds.clear();
    owners.clear();
    fds.push_back({wake_fd, POLLIN, 0});
    fds.push_back({listen_fd, POLLIN, 0});
    for (auto& [cfd, p] : pairs_) {
      short client_ev = p->to_backend.size() < max_pending ? POLLIN : 0;
      short backend_ev = p->to_client.size() < max_pending ? POLLIN : 0;
      if (!p->to_client.empty()) client_ev |= POLLOUT;
      if (!p->to_backend.empty()) backend_ev |= POLLOUT;
      fds.push_back({p->client, client_ev, 0});
      owners.emplace_back(cfd, true);
      fds.push_back({p->backend, backend_ev, 0});
      owners.emplace_back(cfd, false);
    }
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) accept_one(listen_fd);
    std::vector<int> dead;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      auto ev = fds[i].revents;
      if (ev == 0) continue;
      auto [cfd, is_client] = owners[i - 2];
      auto it = pairs_.find(cfd);
      if (it == pairs_.end()) continue;
      auto& p = *it->second;
      bool ok = true;
      if (ev & POLLOUT) ok = flush(p, !is_client);
      if (ok && (ev & (POLLIN | POLLHUP | POLLERR))) ok = pump(p, is_client);
      if (!ok) dead.push_back(cfd);
    }
    for (int cfd : dead)
      close_pair(cfd);
  }
  while (!pairs_.empty())
    close_pair(pairs_.begin()->first);
}

} // namespace troupe::actors::detail
