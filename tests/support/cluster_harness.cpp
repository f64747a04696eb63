#include "cluster_harness.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "run_command.hpp"
#include "troupe/ring/hash.hpp"

namespace troupe::test {

namespace {

/// True when nothing listens on (or is bound to) 127.0.0.1:`port`.
bool port_is_free(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

} // namespace

std::uint16_t free_port() {
  // Below Linux's ephemeral range (32768+): a port the kernel hands out for
  // bind(0) can be taken a moment later as the source port of any outgoing
  // connection (nodes dial their peers all the time), and then a node of
  // this test cannot bind it, or one of another test answers on it. Each
  // process starts at its own offset and walks up, so tests that run at
  // once rarely probe the same ports. The offset is a multiplicative hash
  // of the pid: test processes started one after another have nearby pids,
  // and offsets a few ports apart put one test's walk into the next one's
  // ports (the likely cause of a CI failure of bad_input_test, whose n1
  // refused connections on its port).
  constexpr std::uint16_t low = 10000, span = 22000;
  static std::uint32_t next = static_cast<std::uint32_t>(
    static_cast<std::uint64_t>(getpid()) * 2654435761u % span);
  for (std::uint32_t tries = 0; tries < span; ++tries) {
    auto port = static_cast<std::uint16_t>(low + next++ % span);
    if (port_is_free(port)) return port;
  }
  throw std::runtime_error("free_port: no free port in 10000..31999");
}

bool wait_until(std::chrono::milliseconds timeout,
                const std::function<bool()>& pred,
                std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

child_process::child_process(
  const std::vector<std::string>& argv, std::string log_path,
  const std::vector<std::pair<std::string, std::string>>& env)
  : log_path_(std::move(log_path)) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Die with the test: a test that crashes must not leave nodes behind.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (const auto& [name, value] : env)
      setenv(name.c_str(), value.c_str(), 1);
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    exec_or_exit(argv);
  }
}

child_process::~child_process() {
  if (running()) stop(SIGKILL);
}

bool child_process::running() {
  if (pid_ <= 0) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::optional<int> child_process::exit_code() {
  if (pid_ > 0 && running()) return std::nullopt;
  if (WIFEXITED(status_)) return WEXITSTATUS(status_);
  if (WIFSIGNALED(status_)) return -WTERMSIG(status_);
  return std::nullopt;
}

int child_process::stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  if (sig != SIGKILL && sig != SIGTERM && sig != SIGINT) return 0;
  waitpid(pid_, &status_, 0);
  pid_ = -1;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
}

std::string child_process::log() const {
  std::ifstream in{log_path_};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string child_process::kernel_view() const {
  if (pid_ <= 0) return "not running";
  auto read = [](const std::string& path) {
    std::ifstream in{path};
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  auto dir = "/proc/" + std::to_string(pid_);
  std::string out = "pid " + std::to_string(pid_) + "\n";
  std::istringstream status{read(dir + "/status")};
  for (std::string line; std::getline(status, line);)
    if (line.rfind("State:", 0) == 0 || line.rfind("Threads:", 0) == 0)
      out += line + "\n";
  auto cmdline = read(dir + "/cmdline").substr(0, 200);
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  out += "command: " + cmdline + "\n";
  out += "wchan: " + read(dir + "/wchan") + "\n";
  std::error_code ec;
  for (const auto& t : std::filesystem::directory_iterator(dir + "/task", ec)) {
    auto tid = t.path().filename().string();
    out += "thread " + tid + " " + read(t.path().string() + "/comm") +
           "  wchan " + read(t.path().string() + "/wchan") + "\n" +
           read(t.path().string() + "/stack");
  }
  return out;
}

local_cluster::local_cluster(std::string troupe_bin, std::size_t nodes,
                             const std::string& extra_toml)
  : bin_(std::move(troupe_bin)) {
  char tmpl[] = "/tmp/troupe-cluster-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::ostringstream toml;
  // A name of its own: a node of another test's cluster that answers on
  // one of our ports shows up as a different cluster (status() ignores it).
  name_ =
    "test-" + std::to_string(getpid()) + "-" + dir_.substr(dir_.rfind('-') + 1);
  toml << "[cluster]\nname = \"" << name_ << "\"\n";
  for (std::size_t i = 0; i < nodes; ++i) {
    auto name = "n" + std::to_string(i + 1);
    auto port = free_port();
    names_.push_back(name);
    ports_[name] = port;
    toml << "[[nodes]]\nname = \"" << name << "\"\nport = " << port
         << "\ndata_dir = \"" << dir_ << "/" << name << "\"\n";
  }
  toml << extra_toml;
  config_ = dir_ + "/cluster.toml";
  std::ofstream{config_} << toml.str();
}

local_cluster::~local_cluster() {
  procs_.clear();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void local_cluster::start(
  const std::string& node,
  const std::vector<std::pair<std::string, std::string>>& env) {
  auto log = dir_ + "/" + node + "." + std::to_string(restarts_++) + ".log";
  procs_[node] = std::make_unique<child_process>(
    std::vector<std::string>{bin_, "node", "--config", config_, "--name", node},
    log, env);
}

bool local_cluster::running(const std::string& node) {
  auto i = procs_.find(node);
  return i != procs_.end() && i->second->running();
}

std::optional<int> local_cluster::exit_code(const std::string& node) {
  return procs_.at(node)->exit_code();
}

void local_cluster::start_all() {
  for (const auto& n : names_)
    start(n);
}

int local_cluster::signal(const std::string& node, int sig) {
  return procs_.at(node)->stop(sig);
}

std::string local_cluster::log(const std::string& node) const {
  return procs_.at(node)->log();
}

std::string local_cluster::diagnose(const std::string& node) const {
  const auto& p = *procs_.at(node);
  return "log of " + node + ":\n" + p.log() + "\n" + p.kernel_view();
}

nlohmann::json local_cluster::status() {
  auto r = run_command(
    {bin_, "status", "--config", config_, "--json", "--timeout-ms", "1000"});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  // Another test's cluster answering on one of our ports is not ours.
  if (!j.is_object() || j["cluster"] != name_) return nlohmann::json{};
  return j;
}

const std::string fast_timeouts_toml = "[timeouts]\n"
                                       "heartbeat_interval_ms = 200\n"
                                       "heartbeat_timeout_ms = 1000\n"
                                       "connect_ms = 500\n"
                                       "[retry]\n"
                                       "initial_interval_ms = 50\n"
                                       "max_interval_ms = 1000\n";

bool local_cluster::all_up() {
  // Every node up, and every node seeing every node up: right after a
  // start some views still lag, and a node that sees a peer down fails
  // calls to its shards at once.
  auto j = status();
  if (!j.is_object() || j.contains("error")) return false;
  std::size_t up = 0;
  for (const auto& n : j["nodes"]) {
    if (n["state"] != "up" || !n["sees_up"].is_number() ||
        n["sees_up"].get<std::size_t>() != names_.size())
      return false;
    ++up;
  }
  return up == names_.size();
}

std::map<std::string, std::string> local_cluster::states() {
  std::map<std::string, std::string> out;
  auto j = status();
  if (!j.is_object() || j.contains("error")) return out;
  for (const auto& n : j["nodes"])
    out[n["name"].get<std::string>()] = n["state"].get<std::string>();
  return out;
}

} // namespace troupe::test

namespace troupe::test {

std::map<std::string, std::string>
local_cluster::key_per_node(const std::string& prefix, std::uint32_t shards) {
  auto st = status();
  std::map<std::uint32_t, std::string> owner;
  for (const auto& n : st["nodes"])
    for (const auto& s : n["shards"])
      owner[s.get<std::uint32_t>()] = n["name"];
  std::map<std::string, std::string> out;
  for (int i = 0; out.size() < names_.size() && i < 10000; ++i) {
    auto key = prefix + std::to_string(i);
    auto shard = ring::shard_of(key, shards);
    if (owner.count(shard) != 0) out.emplace(owner[shard], key);
  }
  return out;
}

std::string local_cluster::oracle_node(bool with_oracle) const {
  for (const auto& n : names_)
    if ((log(n).find("timestamp oracle") != std::string::npos) == with_oracle)
      return n;
  return {};
}

} // namespace troupe::test
