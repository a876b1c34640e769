// soak_server: the web scripts/soak.sh crawls. A generated site on 127.0.0.1 and, on 127.0.0.2,
// a host whose pages misbehave in every way the hostile-web tests cover, linked from the site so
// faults keep coming for the whole crawl.
//
//   soak_server --pages N --faults M --dir DIR
//
// Writes DIR/site-url, DIR/fault-url (base URLs), DIR/expected (every site URL a correct crawl
// records, one a line: the reachable pages and the 404s) and DIR/ready last. The fault pages are
// not listed: a crawler may rightly give up a host that fails this much. Runs until SIGINT/SIGTERM.
// Exit 1 when it cannot start, 2 for bad arguments.
#include <zlib.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/fault_server.h"
#include "tests/support/sample_site.h"
#include "tests/support/stop_signal.h"
#include "tests/support/test_server.h"

namespace {

using crawler::testing::FaultConnection;
using crawler::testing::FaultServer;
using crawler::testing::FaultServerOptions;
using crawler::testing::SampleSite;
using crawler::testing::SampleSiteOptions;
using crawler::testing::StopSignal;
using crawler::testing::TestServer;
using namespace std::chrono_literals;

// A few KB of gzip that inflate to `size` zero bytes.
std::string gzip_zeros(std::size_t size) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY);
  std::string out;
  const std::string zeros(1 << 20, '\0');
  std::vector<unsigned char> buffer(1 << 16);
  for (std::size_t done = 0; done < size; done += zeros.size()) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(zeros.size());
    const int flush = done + zeros.size() >= size ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = buffer.data();
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, flush);
      out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

// Fault page N: kind N % 10. The normal pages (N % 10 == 0) link to the next ten, so the
// crawler keeps meeting faults until the last.
void fault_page(FaultConnection& c, int n, int faults, const std::string& bomb) {
  std::string links;
  for (int k = 1; k <= 10; ++k) {
    if (n + k < faults) links += "<a href=\"/f/" + std::to_string(n + k) + "\">f</a>";
  }
  const std::string page = "<html><title>f" + std::to_string(n) + "</title>" + links + "</html>";
  switch (n % 10) {
    case 0:  // a normal page
      c.respond(200, "text/html", page);
      return;
    case 1:  // accepts and answers slowly, then stalls
      c.pause(200ms);
      c.hold();
      return;
    case 2:  // trickles
      c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n");
      for (int i = 0; i < 600 && c.send(page.substr(0, 1)); ++i) c.pause(1000ms);
      return;
    case 3:  // reset mid-body
      c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n" + page);
      c.reset();
      return;
    case 4:  // wrong Content-Length
      c.send("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 90000\r\n\r\n" + page);
      return;
    case 5:  // gzip bomb
      c.respond(200, "text/html", bomb, {{"Content-Encoding", "gzip"}});
      return;
    case 6:  // garbage status line
      c.send("HELLO THERE\r\n\r\n" + page);
      return;
    case 7:  // redirect loop to itself, then out of scope and to other protocols
      c.respond(302, "text/html", "",
                {{"Location", n % 20 == 7 ? "/f/" + std::to_string(n) : "file:///etc/passwd"}});
      return;
    case 8:  // huge header
      c.send("HTTP/1.1 200 OK\r\nX-Big: " + std::string(300000, 'a') + "\r\n\r\n" + page);
      return;
    default:  // closes before the status line
      return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t pages = 100000;
  int faults = 2000;
  std::filesystem::path dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    const auto number = [&](auto& out) {
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
      if (error != std::errc() || end != value.data() + value.size()) {
        std::cerr << "soak_server: " << flag << " wants a number, got '" << value << "'\n";
        std::exit(2);
      }
    };
    if (flag == "--pages") {
      number(pages);
    } else if (flag == "--faults") {
      number(faults);
    } else if (flag == "--dir") {
      dir = value;
    } else {
      std::cerr << "soak_server: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (dir.empty() || pages == 0 || faults < 1) {
    std::cerr << "usage: soak_server --pages N --faults M --dir DIR\n";
    return 2;
  }
  const StopSignal stop;  // before the servers start their threads
  try {
    const SampleSite site(SampleSiteOptions{.pages = pages, .seed = 21});
    TestServer site_server("127.0.0.1");
    site_server.set_request_logging(false);
    site_server.serve_site(site);
    // The site links to the fault host from its home page on.
    FaultServer fault_server(FaultServerOptions{.bind_address = "127.0.0.2"});
    const std::string bomb = gzip_zeros(std::size_t{1} << 30);
    fault_server.fallback([&](FaultConnection& c) {
      const std::string& target = c.target();
      if (target.rfind("/f/", 0) == 0) {
        const int n = std::atoi(target.c_str() + 3);
        if (n >= 0 && n < faults) {
          fault_page(c, n, faults, bomb);
          return;
        }
      }
      c.respond(404, "text/html", "");
    });
    std::ofstream(dir / "site-url") << site_server.base_url() << "\n";
    std::ofstream(dir / "fault-url") << fault_server.base_url() << "\n";
    {
      std::ofstream expected(dir / "expected");
      for (const auto& path : site.reachable_paths())
        expected << site_server.base_url() << path << "\n";
    }
    std::ofstream(dir / "ready") << "ok\n";
    stop.wait();
  } catch (const std::exception& error) {
    std::cerr << "soak_server: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
