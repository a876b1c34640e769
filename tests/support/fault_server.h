// FaultServer: a scripted misbehaving HTTP server for tests, on raw POSIX sockets so a script
// controls every byte and every timing: answer nothing, trickle, reset mid-body, lie about the
// length, send garbage, stream compression bombs, serve TLS with a self-signed certificate.
//
// It listens on a loopback address (127.0.0.x) on an ephemeral port. Each accepted connection
// gets its own thread: the request head is read, then the script chosen by the request's path
// runs with the connection, and the connection is closed when the script returns (one request
// per connection). The destructor stops everything without hanging: it wakes every blocked
// script (their sends and pauses fail) and joins the threads, however stalled the peers are.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler::testing {

// The server's side of one connection, handed to a script.
class FaultConnection {
 public:
  virtual ~FaultConnection() = default;
  // The request target as received, query included ("/a?b=1").
  virtual const std::string& target() const = 0;
  // Sends `bytes` completely. False when the peer is gone or the server is stopping: the script
  // should return then.
  virtual bool send(std::string_view bytes) = 0;
  // Waits `duration`; false (early) when the server is stopping.
  virtual bool pause(std::chrono::milliseconds duration) = 0;
  // Keeps the connection open, sending nothing, until the peer closes it or the server stops.
  virtual void hold() = 0;
  // Ends the connection with a TCP RST instead of an orderly close (plain connections only).
  virtual void reset() = 0;
  // A complete HTTP/1.1 response with Content-Length and "Connection: close". `headers` are
  // sent in order after Content-Type (omitted when empty).
  bool respond(int status, std::string_view content_type, std::string_view body,
               const std::vector<std::pair<std::string, std::string>>& headers = {});
};

using FaultScript = std::function<void(FaultConnection&)>;

// The certificate a TLS fault server shows. All but kSelfSigned are issued by a test CA made
// with the server (FaultServer::ca_pem()), so a client that trusts that CA meets only the fault
// named: none (kValid), a validity that ended an hour ago (kExpired), or a certificate for
// other.invalid instead of 127.0.0.1 (kWrongHost).
enum class TlsCertificate { kSelfSigned, kValid, kExpired, kWrongHost };

struct FaultServerOptions {
  std::string bind_address = "127.0.0.1";  // must be 127.0.0.x
  // Serve HTTPS with a certificate made when the server starts.
  bool tls = false;
  TlsCertificate certificate = TlsCertificate::kSelfSigned;
};

// A fresh self-signed certificate for 127.0.0.1 and its key, as PEM, for servers the tests run
// outside this process (the HTTP/2 server of the WARC tests).
struct SelfSignedPem {
  std::string certificate;
  std::string key;
};
SelfSignedPem self_signed_pem();

class FaultServer {
 public:
  // Listening when the constructor returns. Throws std::invalid_argument for a non-loopback
  // address and std::runtime_error when the socket or the TLS set-up fails.
  explicit FaultServer(FaultServerOptions options = {});
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  // The script for an exact path (the query is ignored). Replaces an earlier one. Set scripts
  // before the crawl starts.
  void on(std::string path, FaultScript script);
  // For paths without a script (default: a 404 with an empty body).
  void fallback(FaultScript script);

  int port() const;
  // The PEM of the CA that issued the server's certificate ("" when self-signed or plain).
  const std::string& ca_pem() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT" ("https://..." with tls)

  // Requests whose head was read for `path` (query ignored unless `path` has a '?').
  std::size_t request_count(std::string_view path) const;
  std::size_t total_requests() const;
  std::size_t connections() const;  // TCP connections accepted, whether a request came or not
  // Body-and-header bytes the scripts sent for `path` (query ignored), over all requests.
  std::uint64_t bytes_sent(std::string_view path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crawler::testing
