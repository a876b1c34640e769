#include "tests/support/test_server.h"

// The Debian build of cpp-httplib is a compiled library whose class layouts depend on these
// switches; they must match the library (see cpp-httplib.pc) whether or not the build adds them.
#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_OPENSSL_SUPPORT
#endif
#ifndef CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#endif
#ifndef CPPHTTPLIB_BROTLI_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#endif
#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "tests/support/sample_site.h"

namespace crawler::testing {
namespace {

constexpr std::size_t kServerThreads = 64;
constexpr int kListenBacklog = 256;

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::map<std::string, std::string> lowercased_headers(const httplib::Headers& headers) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : headers) {
    auto [it, inserted] = out.emplace(lowercase(name), value);
    if (!inserted) it->second += ", " + value;
  }
  return out;
}

std::string_view without_query(std::string_view target) {
  return target.substr(0, target.find('?'));
}

bool is_loopback_127_0_0(const std::string& address) {
  constexpr std::string_view kPrefix = "127.0.0.";
  if (address.size() <= kPrefix.size() || address.size() > kPrefix.size() + 3 ||
      address.compare(0, kPrefix.size(), kPrefix) != 0) {
    return false;
  }
  int value = 0;
  for (std::size_t i = kPrefix.size(); i < address.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(address[i]))) return false;
    value = value * 10 + (address[i] - '0');
  }
  return value <= 255;
}

Response not_found() {
  Response response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = "not found\n";
  return response;
}

void replace_all(std::string& text, std::string_view token, std::string_view replacement) {
  for (auto pos = text.find(token); pos != std::string::npos;
       pos = text.find(token, pos + replacement.size())) {
    text.replace(pos, token.size(), replacement);
  }
}

// httplib::Server with access to the listening socket so the backlog can be raised above
// httplib's compiled-in 5 (a full accept queue makes Linux drop SYNs: 1 s client stalls).
class LoopbackServer : public httplib::Server {
 public:
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

}  // namespace

struct TestServer::Impl {
  std::string address;
  int port = 0;
  LoopbackServer server;
  std::thread thread;
  std::atomic<bool> listener_done{false};

  mutable std::mutex mutex;  // guards routes, fallback and log
  std::map<std::string, Handler, std::less<>> routes;
  Handler fallback;
  std::vector<Request> log;
  bool logging = true;

  std::atomic<std::size_t> total{0};

  std::atomic<int> in_flight{0};
  std::atomic<int> max_in_flight{0};

  void handle(const httplib::Request& http_request, httplib::Response& http_response);
  Response dispatch(const Request& request);
};

Response TestServer::Impl::dispatch(const Request& request) {
  Handler handler;
  {
    std::lock_guard lock(mutex);
    const auto path = without_query(request.path);
    if (auto it = routes.find(path); it != routes.end()) {
      handler = it->second;
    } else {
      handler = fallback;
    }
  }
  if (!handler) return not_found();
  try {
    return handler(request);
  } catch (const std::exception& e) {
    Response response;
    response.status = 500;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::string("handler threw: ") + e.what() + "\n";
    return response;
  }
}

void TestServer::Impl::handle(const httplib::Request& http_request,
                              httplib::Response& http_response) {
  Request request;
  request.arrived = std::chrono::steady_clock::now();
  request.method = http_request.method;
  request.path = http_request.target.empty() ? http_request.path : http_request.target;
  request.headers = lowercased_headers(http_request.headers);
  if (auto it = request.headers.find("host"); it != request.headers.end()) {
    request.host_header = it->second;
  }

  struct InFlight {
    std::atomic<int>& count;
    ~InFlight() { count.fetch_sub(1); }
  } guard{in_flight};
  const int now_in_flight = in_flight.fetch_add(1) + 1;
  int seen = max_in_flight.load();
  while (now_in_flight > seen && !max_in_flight.compare_exchange_weak(seen, now_in_flight)) {
  }
  {
    std::lock_guard lock(mutex);
    total.fetch_add(1);
    if (logging) log.push_back(request);
  }

  Response response = dispatch(request);
  if (response.delay.count() > 0) std::this_thread::sleep_for(response.delay);

  http_response.status = response.status;
  std::string content_type = response.content_type;
  for (const auto& [name, value] : response.headers) {
    if (iequals(name, "Content-Type")) {
      content_type = value;
    } else if (!iequals(name, "Content-Length")) {
      http_response.headers.emplace(name, value);
      if (iequals(name, "Accept-Ranges")) http_response.set_header("X-TestServer-Ranges", "1");
    }
  }
  if (response.body.empty()) {
    // httplib adds "Content-Length: 0" itself for an empty body.
    if (!content_type.empty()) http_response.set_header("Content-Type", content_type);
  } else {
    // A sized content provider is never compressed nor range-sliced by httplib, so the bytes
    // sent are exactly the body and Content-Length is its size (HEAD included).
    const std::size_t size = response.body.size();
    auto body = std::make_shared<std::string>(std::move(response.body));
    http_response.set_content_provider(
        size, content_type,
        [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
          return sink.write(body->data() + offset, std::min(length, body->size() - offset));
        });
    if (content_type.empty()) http_response.headers.erase("Content-Type");
  }
}

TestServer::TestServer(std::string bind_address, int port) : impl_(std::make_unique<Impl>()) {
  if (!is_loopback_127_0_0(bind_address)) {
    throw std::invalid_argument("TestServer binds only to 127.0.0.x, not '" + bind_address + "'");
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("TestServer: bad port");
  impl_->address = std::move(bind_address);

  Impl* impl = impl_.get();
  auto& server = impl_->server;
  // httplib takes ownership of the returned raw pointer.
  server.new_task_queue = [] {
    return std::make_unique<httplib::ThreadPool>(kServerThreads).release();
  };
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which would let a second server share a fixed
  // port; keep only SO_REUSEADDR.
  server.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // httplib adds "Accept-Ranges: bytes" to HEAD answers only; GET and HEAD should match.
  server.set_post_routing_handler([](const httplib::Request& request, httplib::Response& response) {
    if (request.method == "HEAD" && response.get_header_value("X-TestServer-Ranges").empty()) {
      response.headers.erase("Accept-Ranges");
    }
    response.headers.erase("X-TestServer-Ranges");
  });
  server.Get(".*", [impl](const httplib::Request& request, httplib::Response& response) {
    impl->handle(request, response);
  });

  if (port == 0) {
    impl_->port = server.bind_to_any_port(impl_->address);
    if (impl_->port <= 0) {
      throw std::runtime_error("TestServer: cannot bind " + impl_->address);
    }
  } else {
    if (!server.bind_to_port(impl_->address, port)) {
      throw std::runtime_error("TestServer: cannot bind " + impl_->address + ":" +
                               std::to_string(port));
    }
    impl_->port = port;
  }
  server.raise_backlog(kListenBacklog);
  impl_->thread = std::thread([impl] {
    impl->server.listen_after_bind();
    impl->listener_done.store(true);
  });
  // stop() is a no-op until the accept loop runs, so wait for it before returning.
  while (!server.is_running() && !impl_->listener_done.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

TestServer::~TestServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void TestServer::route(std::string path, Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes.insert_or_assign(std::move(path), std::move(handler));
}

void TestServer::fallback(Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(handler);
}

void TestServer::serve_site(const SampleSite& site, std::chrono::milliseconds delay) {
  fallback([site, delay, origin = base_url()](const Request& request) {
    const std::string* page = site.page(without_query(request.path));
    if (page == nullptr) return not_found();
    Response response;
    response.body = *page;
    replace_all(response.body, "{{ORIGIN}}", origin);
    response.delay = delay;
    return response;
  });
}

int TestServer::port() const { return impl_->port; }

std::string TestServer::bind_address() const { return impl_->address; }

std::string TestServer::base_url() const {
  return "http://" + impl_->address + ":" + std::to_string(impl_->port);
}

std::vector<Request> TestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->log;
}

std::size_t TestServer::request_count(std::string_view path) const {
  const bool with_query = path.find('?') != std::string_view::npos;
  std::lock_guard lock(impl_->mutex);
  return static_cast<std::size_t>(
      std::count_if(impl_->log.begin(), impl_->log.end(), [&](const Request& request) {
        return (with_query ? std::string_view(request.path) : without_query(request.path)) == path;
      }));
}

int TestServer::max_concurrent() const { return impl_->max_in_flight.load(); }

std::size_t TestServer::total_requests() const { return impl_->total.load(); }

void TestServer::set_request_logging(bool enabled) {
  std::lock_guard lock(impl_->mutex);
  impl_->logging = enabled;
}

void TestServer::clear_log() {
  std::lock_guard lock(impl_->mutex);
  impl_->log.clear();
  impl_->total.store(0);
  impl_->max_in_flight.store(impl_->in_flight.load());
}

namespace {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string TestServer::html_page(const std::string& title, const std::vector<std::string>& hrefs,
                                  const std::string& extra_body) {
  std::string html = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     html_escape(title) + "</title>\n</head>\n<body>\n<h1>" + html_escape(title) +
                     "</h1>\n";
  if (!hrefs.empty()) {
    html += "<ul>\n";
    for (const auto& href : hrefs) {
      html += "<li><a href=\"" + html_escape(href) + "\">" + html_escape(href) + "</a></li>\n";
    }
    html += "</ul>\n";
  }
  html += extra_body;
  html += "\n</body>\n</html>\n";
  return html;
}

HttpGetResult http_request(std::string_view method, const std::string& url,
                           const std::map<std::string, std::string>& headers) {
  HttpGetResult result;
  constexpr std::string_view kScheme = "http://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    result.error = "only http:// URLs are supported: " + url;
    return result;
  }
  const auto path_start = url.find_first_of("/?#", kScheme.size());
  const std::string origin = url.substr(0, path_start);
  std::string target = path_start == std::string::npos ? "/" : url.substr(path_start);
  target = target.substr(0, target.find('#'));
  if (target.empty() || target.front() == '?') target.insert(0, "/");

  httplib::Client client(origin);
  if (!client.is_valid()) {
    result.error = "invalid URL: " + url;
    return result;
  }
  client.set_connection_timeout(std::chrono::seconds(10));
  client.set_read_timeout(std::chrono::seconds(60));
  client.set_write_timeout(std::chrono::seconds(10));
  client.set_follow_location(false);
  client.set_decompress(false);
  client.set_keep_alive(false);

  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);
  httplib::Result response = method == "HEAD"  ? client.Head(target, request_headers)
                             : method == "GET" ? client.Get(target, request_headers)
                                               : httplib::Result(nullptr, httplib::Error::Unknown);
  if (!response) {
    result.error = method == "GET" || method == "HEAD"
                       ? "request failed: " + httplib::to_string(response.error())
                       : "unsupported method " + std::string(method);
    return result;
  }
  result.status = response->status;
  result.body = response->body;
  result.headers = lowercased_headers(response->headers);
  return result;
}

}  // namespace crawler::testing
