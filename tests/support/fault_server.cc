#include "tests/support/fault_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace crawler::testing {
namespace {

using namespace std::chrono_literals;

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct X509ExtensionDeleter {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// How long a connection may take to send its request head; slower peers are dropped.
constexpr auto kHeadDeadline = 5s;
// Socket timeouts, so every blocked send or receive rechecks whether the server is stopping.
constexpr auto kPollStep = 100ms;
constexpr std::size_t kMaxHead = std::size_t{64} * 1024;

std::string path_of(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

[[noreturn]] void throw_ssl(const std::string& what) {
  char detail[256] = {};
  ERR_error_string_n(ERR_get_error(), detail, sizeof detail);
  throw std::runtime_error("FaultServer TLS: " + what + ": " + detail);
}

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

PkeyPtr new_key() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw_ssl("key generation failed");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, X509ExtensionDeleter> extension(
      X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) throw_ssl(value);
}

// A certificate for `common_name` with `key`, valid from `not_before` to `not_after` seconds
// from now, signed by `issuer` with `issuer_key` (by itself when `issuer` is null).
X509Ptr make_certificate(EVP_PKEY* key, const char* common_name, const char* subject_alt_name,
                         long not_before, long not_after, X509* issuer, EVP_PKEY* issuer_key,
                         bool is_ca, long serial) {
  X509Ptr cert(X509_new());
  if (!cert) throw_ssl("X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_subject_alt_name, subject_alt_name);
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
    throw_ssl("signing failed");
  }
  return cert;
}

std::string to_pem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) throw_ssl("PEM_write_bio_X509");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string key_to_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_ssl("PEM_write_bio_PrivateKey");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

// The server's certificate as `kind` asks, with a fresh P-256 key per server; nothing is written
// to disk. All but the self-signed one are issued by a fresh test CA whose PEM goes to `ca_pem`.
SslCtxPtr tls_context(TlsCertificate kind, std::string& ca_pem) {
  constexpr long kHour = 3600;
  constexpr long kDay = 24 * kHour;
  PkeyPtr key = new_key();
  X509Ptr cert;
  if (kind == TlsCertificate::kSelfSigned) {
    cert = make_certificate(key.get(), "127.0.0.1", "IP:127.0.0.1", -kHour, kDay, nullptr, nullptr,
                            false, 1);
  } else {
    PkeyPtr ca_key = new_key();
    X509Ptr ca = make_certificate(ca_key.get(), "crawler test CA", nullptr, -kDay, kDay, nullptr,
                                  nullptr, true, 1);
    ca_pem = to_pem(ca.get());
    const bool expired = kind == TlsCertificate::kExpired;
    const bool wrong_host = kind == TlsCertificate::kWrongHost;
    cert = make_certificate(key.get(), wrong_host ? "other.invalid" : "127.0.0.1",
                            wrong_host ? "DNS:other.invalid" : "IP:127.0.0.1",
                            expired ? -2 * kDay : -kHour, expired ? -kHour : kDay, ca.get(),
                            ca_key.get(), false, 2);
  }
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) throw_ssl("SSL_CTX_new failed");
  if (SSL_CTX_use_certificate(context.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(context.get(), key.get()) != 1) {
    throw_ssl("cannot use the certificate");
  }
  return context;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 404:
      return "Not Found";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

}  // namespace

bool FaultConnection::respond(int status, std::string_view content_type, std::string_view body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  if (!content_type.empty()) head += "Content-Type: " + std::string(content_type) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  return send(head) && send(body);
}

struct FaultServer::Impl {
  // One accepted connection. `fd` is closed only under `mutex` (by its own thread, or by the
  // destructor after joining), so the destructor never shuts down a reused descriptor.
  struct Worker {
    std::thread thread;
    int fd = -1;
    std::atomic<bool> done{false};
  };

  class Connection final : public FaultConnection {
   public:
    Connection(Impl& server, Worker& worker, SSL* ssl)
        : server_(server), worker_(worker), fd_(worker.fd), ssl_(ssl) {}

    const std::string& target() const override { return target_; }

    bool send(std::string_view bytes) override {
      while (!bytes.empty()) {
        if (server_.stopping.load() || closed_) return false;
        long n = 0;
        if (ssl_ != nullptr) {
          ERR_clear_error();
          n = SSL_write(ssl_, bytes.data(),
                        static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
          if (n <= 0) {
            const int error = SSL_get_error(ssl_, static_cast<int>(n));
            if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) continue;
            return false;
          }
        } else {
          n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
          if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
            return false;
          }
        }
        server_.count_bytes(path_, static_cast<std::uint64_t>(n));
        bytes.remove_prefix(static_cast<std::size_t>(n));
      }
      return true;
    }

    bool pause(std::chrono::milliseconds duration) override {
      std::unique_lock lock(server_.pause_mutex);
      return !server_.wake.wait_for(lock, duration, [&] { return server_.stopping.load(); });
    }

    void hold() override {
      char buffer[4096];
      while (!server_.stopping.load() && !closed_) {
        const long n = receive(buffer, sizeof buffer);
        if (n == 0) return;  // the peer closed
        if (n < 0 && !retryable_) return;
      }
    }

    void reset() override {
      if (ssl_ != nullptr || closed_) return;
      const linger abort_close{1, 0};
      setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
      release();  // no shutdown first: that would send a FIN before the RST
    }

    // Reads the request head; false when none arrived in time.
    bool read_head() {
      std::string head;
      char buffer[4096];
      const auto deadline = std::chrono::steady_clock::now() + kHeadDeadline;
      while (head.find("\r\n\r\n") == std::string::npos) {
        if (server_.stopping.load() || head.size() > kMaxHead ||
            std::chrono::steady_clock::now() > deadline) {
          return false;
        }
        const long n = receive(buffer, sizeof buffer);
        if (n == 0 || (n < 0 && !retryable_)) return false;
        if (n > 0) head.append(buffer, static_cast<std::size_t>(n));
      }
      const auto first_space = head.find(' ');
      const auto second_space = head.find(' ', first_space + 1);
      if (first_space == std::string::npos || second_space == std::string::npos) return false;
      target_ = head.substr(first_space + 1, second_space - first_space - 1);
      path_ = path_of(target_);
      return true;
    }

    bool handshake() {
      const auto deadline = std::chrono::steady_clock::now() + kHeadDeadline;
      while (!server_.stopping.load() && std::chrono::steady_clock::now() < deadline) {
        ERR_clear_error();
        const int result = SSL_accept(ssl_);
        if (result == 1) return true;
        const int error = SSL_get_error(ssl_, result);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
      }
      return false;
    }

    void close() {
      if (closed_) return;
      if (ssl_ != nullptr) {
        SSL_shutdown(ssl_);  // best effort close_notify; never waits for the peer's
      } else {
        ::shutdown(fd_, SHUT_WR);
      }
      release();
    }

   private:
    void release() {
      std::lock_guard lock(server_.mutex);
      ::close(worker_.fd);
      worker_.fd = -1;
      closed_ = true;
    }

    // recv or SSL_read; -1 with retryable_ set when the wait merely timed out.
    long receive(char* buffer, std::size_t size) {
      retryable_ = false;
      if (ssl_ != nullptr) {
        ERR_clear_error();
        const int n = SSL_read(ssl_, buffer, static_cast<int>(size));
        if (n > 0) return n;
        const int error = SSL_get_error(ssl_, n);
        if (error == SSL_ERROR_ZERO_RETURN) return 0;
        retryable_ = error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
        return retryable_ ? -1 : 0;
      }
      const long n = ::recv(fd_, buffer, size, 0);
      if (n < 0) retryable_ = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      return n;
    }

    Impl& server_;
    Worker& worker_;
    const int fd_;
    SSL* ssl_;
    std::string target_;
    std::string path_;
    bool closed_ = false;
    bool retryable_ = false;
  };

  FaultServerOptions options;
  int listen_fd = -1;
  int port = 0;
  SslCtxPtr tls;
  std::string ca_pem;  // the issuing test CA, for clients that should trust it
  std::atomic<bool> stopping{false};
  std::mutex pause_mutex;
  std::condition_variable wake;

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, FaultScript> scripts;
  FaultScript fallback_script;
  std::vector<std::string> targets;
  std::map<std::string, std::uint64_t> bytes;
  std::size_t accepted = 0;
  std::list<Worker> workers;
  std::thread acceptor;

  void count_bytes(const std::string& path, std::uint64_t n) {
    std::lock_guard lock(mutex);
    bytes[path] += n;
  }

  void serve(Worker& worker) {
    // A peer that vanished must fail a write with EPIPE, not kill the test with SIGPIPE (OpenSSL
    // writes with write(2), which has no MSG_NOSIGNAL). The signal is thread-directed, so blocking
    // it here is enough.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    const timeval step{
        0, static_cast<suseconds_t>(
               std::chrono::duration_cast<std::chrono::microseconds>(kPollStep).count())};
    setsockopt(worker.fd, SOL_SOCKET, SO_RCVTIMEO, &step, sizeof step);
    setsockopt(worker.fd, SOL_SOCKET, SO_SNDTIMEO, &step, sizeof step);
    SslPtr ssl;
    if (tls) {
      ssl.reset(SSL_new(tls.get()));
      if (ssl) SSL_set_fd(ssl.get(), worker.fd);
    }
    {
      Connection connection(*this, worker, ssl.get());
      if ((!tls || (ssl && connection.handshake())) && connection.read_head()) {
        FaultScript script;
        {
          std::lock_guard lock(mutex);
          targets.push_back(connection.target());
          const auto it = scripts.find(path_of(connection.target()));
          script = it != scripts.end() ? it->second : fallback_script;
        }
        if (script) {
          script(connection);
        } else {
          connection.respond(404, "", "");
        }
      }
      connection.close();
    }
    worker.done.store(true);  // the last touch: the worker may be joined and erased after it
  }

  void accept_loop() {
    while (!stopping.load()) {
      pollfd waiting{listen_fd, POLLIN, 0};
      const int ready = ::poll(&waiting, 1, static_cast<int>(kPollStep.count()));
      std::lock_guard lock(mutex);
      for (auto it = workers.begin(); it != workers.end();) {
        if (it->done.load()) {
          it->thread.join();
          it = workers.erase(it);
        } else {
          ++it;
        }
      }
      if (ready <= 0 || stopping.load()) continue;
      const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted;
      Worker& worker = workers.emplace_back();
      worker.fd = fd;
      worker.thread = std::thread([this, &worker] { serve(worker); });
    }
  }
};

FaultServer::FaultServer(FaultServerOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.options = std::move(options);
  in_addr address{};
  if (s.options.bind_address.rfind("127.0.0.", 0) != 0 ||
      inet_pton(AF_INET, s.options.bind_address.c_str(), &address) != 1) {
    throw std::invalid_argument("FaultServer: bind address must be 127.0.0.x, got " +
                                s.options.bind_address);
  }
  if (s.options.tls) s.tls = tls_context(s.options.certificate, s.ca_pem);
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) throw std::runtime_error("FaultServer: socket() failed");
  const int on = 1;
  setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in bind_to{};
  bind_to.sin_family = AF_INET;
  bind_to.sin_addr = address;
  bind_to.sin_port = 0;
  socklen_t length = sizeof bind_to;
  if (::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof bind_to) != 0 ||
      ::listen(s.listen_fd, 128) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&bind_to), &length) != 0) {
    ::close(s.listen_fd);
    throw std::runtime_error("FaultServer: cannot listen on " + s.options.bind_address);
  }
  s.port = ntohs(bind_to.sin_port);
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

FaultServer::~FaultServer() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.pause_mutex);
    s.stopping.store(true);
  }
  s.wake.notify_all();
  s.acceptor.join();
  {
    // Wakes scripts blocked in a send or receive at once (they also poll `stopping`).
    std::lock_guard lock(s.mutex);
    for (auto& worker : s.workers) {
      if (worker.fd >= 0) ::shutdown(worker.fd, SHUT_RDWR);
    }
  }
  // Only the acceptor changed the list, and it is gone: no lock needed to walk it now.
  for (auto& worker : s.workers) worker.thread.join();
  ::close(s.listen_fd);
}

void FaultServer::on(std::string path, FaultScript script) {
  std::lock_guard lock(impl_->mutex);
  impl_->scripts[std::move(path)] = std::move(script);
}

void FaultServer::fallback(FaultScript script) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback_script = std::move(script);
}

int FaultServer::port() const { return impl_->port; }

const std::string& FaultServer::ca_pem() const { return impl_->ca_pem; }

std::string FaultServer::base_url() const {
  return std::string(impl_->tls ? "https://" : "http://") + impl_->options.bind_address + ":" +
         std::to_string(impl_->port);
}

std::size_t FaultServer::request_count(std::string_view path) const {
  const bool exact = path.find('?') != std::string_view::npos;
  std::lock_guard lock(impl_->mutex);
  std::size_t count = 0;
  for (const auto& target : impl_->targets) {
    if (exact ? target == path : path_of(target) == path) ++count;
  }
  return count;
}

std::size_t FaultServer::total_requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->targets.size();
}

std::size_t FaultServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}

std::uint64_t FaultServer::bytes_sent(std::string_view path) const {
  std::lock_guard lock(impl_->mutex);
  const auto it = impl_->bytes.find(std::string(path));
  return it == impl_->bytes.end() ? 0 : it->second;
}

SelfSignedPem self_signed_pem() {
  constexpr long kHour = 3600;
  PkeyPtr key = new_key();
  X509Ptr cert = make_certificate(key.get(), "127.0.0.1", "IP:127.0.0.1", -kHour, 24 * kHour,
                                  nullptr, nullptr, false, 1);
  return SelfSignedPem{to_pem(cert.get()), key_to_pem(key.get())};
}

}  // namespace crawler::testing
