// sample_site_server: serves a generated SampleSite on a loopback address until SIGINT/SIGTERM.
//
//   sample_site_server [--bind 127.0.0.1] [--port 0] [--pages 300] [--seed 1]
//                      [--unreachable 0] [--port-file PATH]
//
// Prints "listening on http://ADDRESS:PORT" once ready; with --port-file, also writes the port
// (atomically: a temporary file renamed into place). Exit codes: 0 after a signal, 1 when the
// server cannot start, 2 for a bad argument.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "tests/support/sample_site.h"
#include "tests/support/stop_signal.h"
#include "tests/support/test_server.h"

namespace {

struct Arguments {
  std::string bind = "127.0.0.1";
  int port = 0;
  crawler::testing::SampleSiteOptions site;
  std::string port_file;
};

constexpr std::string_view kUsage =
    "usage: sample_site_server [--bind 127.0.0.1] [--port 0] [--pages 300] [--seed 1]\n"
    "                          [--unreachable 0] [--port-file PATH]\n";

std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Fills `args`; returns an error message, or "" on success.
std::string parse_arguments(const std::vector<std::string_view>& argv, Arguments& args,
                            bool& help) {
  args.site.pages = 300;
  static constexpr std::string_view kFlags[] = {"--bind", "--port",        "--pages",
                                                "--seed", "--unreachable", "--port-file"};
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      help = true;
      return "";
    }
    std::string_view value;
    bool inline_value = false;
    if (const auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      inline_value = true;
    }
    if (std::find(std::begin(kFlags), std::end(kFlags), flag) == std::end(kFlags)) {
      return "unknown argument '" + std::string(argv[i]) + "'";
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) return "missing value for " + std::string(flag);
      value = argv[++i];
    }
    const auto bad = [&] {
      return "bad value for " + std::string(flag) + ": '" + std::string(value) + "'";
    };
    if (flag == "--bind") {
      if (!value.starts_with("127.0.0.")) return bad() + " (only 127.0.0.x is allowed)";
      args.bind = std::string(value);
    } else if (flag == "--port") {
      const auto port = parse_unsigned(value, 65535);
      if (!port) return bad();
      args.port = static_cast<int>(*port);
    } else if (flag == "--pages") {
      const auto pages = parse_unsigned(value, 10'000'000);
      if (!pages || *pages == 0) return bad();
      args.site.pages = static_cast<std::size_t>(*pages);
    } else if (flag == "--seed") {
      const auto seed = parse_unsigned(value, std::numeric_limits<std::uint32_t>::max());
      if (!seed) return bad();
      args.site.seed = static_cast<std::uint32_t>(*seed);
    } else if (flag == "--unreachable") {
      const auto unreachable = parse_unsigned(value, 10'000'000);
      if (!unreachable) return bad();
      args.site.unreachable = static_cast<std::size_t>(*unreachable);
    } else {  // --port-file
      if (value.empty()) return bad();
      args.port_file = std::string(value);
    }
  }
  if (args.site.unreachable >= args.site.pages) return "--unreachable must be below --pages";
  return "";
}

bool write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) return false;
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  return !error;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> raw(argv + 1, argv + argc);
  Arguments args;
  bool help = false;
  if (const std::string error = parse_arguments(raw, args, help); !error.empty()) {
    std::cerr << "sample_site_server: " << error << "\n" << kUsage;
    return 2;
  }
  if (help) {
    std::cout << kUsage;
    return 0;
  }

  const crawler::testing::StopSignal stop;  // before the server starts its threads

  try {
    const crawler::testing::SampleSite site(args.site);
    crawler::testing::TestServer server(args.bind, args.port);
    server.set_request_logging(false);  // long runs: keep memory flat
    server.serve_site(site);
    if (!args.port_file.empty() && !write_port_file(args.port_file, server.port())) {
      std::cerr << "sample_site_server: cannot write " << args.port_file << "\n";
      return 1;
    }
    std::cout << "listening on " << server.base_url() << std::endl;

    const int received = stop.wait();
    std::cerr << "sample_site_server: signal " << received << ", served " << server.total_requests()
              << " requests\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "sample_site_server: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "sample_site_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
