#include "run_command.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace troupe::test {

namespace {

void check(bool ok, const char* what) {
  if (!ok)
    throw std::runtime_error(std::string{what} + ": " + std::strerror(errno));
}

} // namespace

void exec_or_exit(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

command_result run_command(const std::vector<std::string>& argv,
                           const std::string& input) {
  int in[2], out[2], err[2];
  check(pipe(in) == 0 && pipe(out) == 0 && pipe(err) == 0, "pipe");
  pid_t pid = fork();
  check(pid >= 0, "fork");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      close(fd);
    exec_or_exit(argv);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // Feed stdin while draining stdout and stderr so no pipe fills up.
  command_result result;
  std::size_t written = 0;
  if (input.empty()) {
    close(in[1]);
    in[1] = -1;
  }
  std::vector<pollfd> fds;
  char buf[4096];
  bool out_open = true, err_open = true;
  while (out_open || err_open || in[1] >= 0) {
    fds.clear();
    if (out_open) fds.push_back({out[0], POLLIN, 0});
    if (err_open) fds.push_back({err[0], POLLIN, 0});
    if (in[1] >= 0) fds.push_back({in[1], POLLOUT, 0});
    check(poll(fds.data(), fds.size(), -1) >= 0 || errno == EINTR, "poll");
    for (auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in[1]) {
        auto n = write(in[1], input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<std::size_t>(n);
        if (n < 0 || written == input.size()) {
          close(in[1]);
          in[1] = -1;
        }
        continue;
      }
      auto n = read(p.fd, buf, sizeof buf);
      if (n <= 0) {
        close(p.fd);
        (p.fd == out[0] ? out_open : err_open) = false;
      } else {
        (p.fd == out[0] ? result.out : result.err).append(buf, n);
      }
    }
  }
  int status = 0;
  check(waitpid(pid, &status, 0) == pid, "waitpid");
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string write_temp_file(const std::string& name,
                            const std::string& contents) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/troupe-test-XXXXXX";
    check(mkdtemp(tmpl) != nullptr, "mkdtemp");
    return std::string{tmpl};
  }();
  auto path = dir + "/" + name;
  std::ofstream f{path, std::ios::binary | std::ios::trunc};
  f << contents;
  check(static_cast<bool>(f), "write temp file");
  return path;
}

} // namespace troupe::test
