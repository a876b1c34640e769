// Tests of the test support code: FaultServer.
#include "tests/support/fault_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "crawler/util/unique_fd.h"
#include "tests/support/crawler_runner.h"
#include "tests/support/test_server.h"

namespace crawler::testing {
namespace {

using namespace std::chrono_literals;

// A raw client connection to 127.0.0.1:`port`, optionally sending `request`; the caller owns
// the descriptor.
int connect_to(int port, const std::string& request = "") {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("connect failed");
  }
  if (!request.empty()) ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
  return fd.release();
}

// Everything the server sends until it closes; `error` gets the errno that ended it (0 = EOF).
std::string read_all(int fd, int& error) {
  const timeval limit{10, 0};  // a broken server fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  std::string out;
  char buffer[4096];
  while (true) {
    const long n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    error = n == 0 ? 0 : errno;
    return out;
  }
}

TEST(FaultServer, ScriptsAnswerByPathAndRequestsAreCounted) {
  FaultServer server;
  server.on("/x", [](FaultConnection& c) { c.respond(200, "text/plain", "target " + c.target()); });
  const auto answer = http_get(server.base_url() + "/x?q=1");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, "target /x?q=1");
  EXPECT_EQ(http_get(server.base_url() + "/missing").status, 404);
  EXPECT_EQ(server.request_count("/x"), 1u);
  EXPECT_EQ(server.request_count("/x?q=1"), 1u);
  EXPECT_EQ(server.request_count("/x?q=2"), 0u);
  EXPECT_EQ(server.total_requests(), 2u);
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_GT(server.bytes_sent("/x"), answer.body.size());
}

TEST(FaultServer, ResetEndsTheConnectionWithAnRst) {
  FaultServer server;
  server.on("/", [](FaultConnection& c) {
    if (c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")) c.reset();
  });
  const UniqueFd client(connect_to(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  int error = -1;
  read_all(client.get(), error);
  EXPECT_EQ(error, ECONNRESET);
}

TEST(FaultServer, OnlyLoopbackAddressesAreAccepted) {
  EXPECT_THROW(FaultServer(FaultServerOptions{.bind_address = "0.0.0.0"}), std::invalid_argument);
}

// The destructor must return although every peer stalls: one holding a held connection, one
// blocked on a trickle, one that never sends its request.
TEST(FaultServer, StopsWithoutHangingOnStalledPeers) {
  std::atomic<int> started{0};
  std::optional<UniqueFd> held, trickled, silent;
  {
    FaultServer server;
    server.on("/hold", [&](FaultConnection& c) {
      ++started;
      c.hold();
    });
    server.on("/trickle", [&](FaultConnection& c) {
      ++started;
      while (c.send("x") && c.pause(1s)) {
      }
    });
    held.emplace(connect_to(server.port(), "GET /hold HTTP/1.1\r\n\r\n"));
    trickled.emplace(connect_to(server.port(), "GET /trickle HTTP/1.1\r\n\r\n"));
    silent.emplace(connect_to(server.port()));
    ASSERT_TRUE(wait_for([&] { return started.load() == 2; }, 10s));
    ASSERT_TRUE(wait_for([&] { return server.connections() == 3; }, 10s));
  }
  // The server closed every connection on its way out.
  int error = -1;
  read_all(held->get(), error);
  EXPECT_EQ(error, 0);
}

TEST(FaultServer, TlsServesHttpsWithASelfSignedCertificate) {
  FaultServer server(FaultServerOptions{.tls = true});
  EXPECT_EQ(server.base_url().rfind("https://127.0.0.1:", 0), 0u);
  server.on("/", [](FaultConnection& c) { c.respond(200, "text/plain", "secret"); });
  // A plain-HTTP request is not a TLS handshake: no request is seen.
  const UniqueFd client(connect_to(server.port(), "GET / HTTP/1.1\r\n\r\n"));
  int error = -1;
  read_all(client.get(), error);
  EXPECT_EQ(server.total_requests(), 0u);

  // An HTTPS client that accepts the self-signed certificate gets the page.
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  ASSERT_TRUE(curl);
  std::string body;
  const auto append = +[](char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  };
  const std::string url = server.base_url() + "/";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, "secret");
  EXPECT_EQ(server.total_requests(), 1u);
}

}  // namespace
}  // namespace crawler::testing
