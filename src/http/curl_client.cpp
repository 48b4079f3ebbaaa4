#include "http/curl_client.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>
#include <mutex>

#include "core/mutex.h"

namespace gd2s::http {

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < key.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(key[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    if (same) return value;
  }
  return {};
}

namespace {

// "https://host:443/path?query" → "host:443", for messages that must not carry a query.
std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

HttpError to_error(CURLcode code, const char* detail, const std::string& url) {
  std::string message = "HTTP request to " + host_of(url) + " failed: " + curl_easy_strerror(code);
  if (detail != nullptr && *detail != '\0') message += std::string(" (") + detail + ")";
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return HttpError(HttpError::Kind::kConnect, message);
    case CURLE_OPERATION_TIMEDOUT:
      return HttpError(HttpError::Kind::kTimeout, message);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return HttpError(HttpError::Kind::kTls, message);
    default:
      return HttpError(HttpError::Kind::kOther, message);
  }
}

// How many connections the shared cache may hold, in use and idle, before libcurl closes the
// oldest idle one. Its default is the count of one transfer's own multi handle (4 or 5), but
// every transfer here counts against the one shared cache: with 8 objects being read and 4
// requests in flight, nearly every finished transfer closed a connection that the next one then
// opened again (a new TLS handshake each time). Idle connections are only ever as many as were
// in use at once, and libcurl closes those idle longer than two minutes.
constexpr long kMaxConnections = 1024;

// One share handle for the process: connections, TLS sessions and DNS answers are reused
// across requests and threads (libcurl serialises access through these locks).
class Share {
 public:
  Share() {
    handle_ = curl_share_init();
    curl_share_setopt(handle_, CURLSHOPT_LOCKFUNC, &Share::lock);
    curl_share_setopt(handle_, CURLSHOPT_UNLOCKFUNC, &Share::unlock);
    curl_share_setopt(handle_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  }
  ~Share() { curl_share_cleanup(handle_); }
  Share(const Share&) = delete;
  Share& operator=(const Share&) = delete;
  CURLSH* get() const { return handle_; }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Share*>(self)->mutexes_[static_cast<size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Share*>(self)->mutexes_[static_cast<size_t>(data) % kLocks].unlock();
  }
  static constexpr size_t kLocks = 16;
  CURLSH* handle_ = nullptr;
  // Plain std::mutex: libcurl locks and unlocks them in separate callbacks around its own data,
  // so there is nothing of ours for the thread-safety analysis to check.
  std::array<std::mutex, kLocks> mutexes_;
};

// The CAs a client trusts, parsed once and shared by all its TLS connections. Left to itself,
// libcurl 7.88 parses the system bundle for every new connection (Debian's ~140 certificates
// cost OpenSSL 3 a noticeable fraction of a CPU-second each time); here each connection's
// SSL_CTX takes a reference to this one store instead. Loaded on the first TLS connection, and
// tried again on the next one for as long as loading fails (a ca_file not there yet).
class TrustStore {
 public:
  explicit TrustStore(std::string extra_ca_file) : extra_ca_file_(std::move(extra_ca_file)) {}
  ~TrustStore() { X509_STORE_free(store_); }
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  /// Called by libcurl for each new TLS connection, after it set the context up.
  static CURLcode install(CURL*, void* ssl_ctx, void* self_ptr) {
    auto* self = static_cast<TrustStore*>(self_ptr);
    MutexLock lock(self->mutex_);
    if (self->store_ == nullptr) self->store_ = load(self->extra_ca_file_);
    if (self->store_ == nullptr) return CURLE_SSL_CACERT_BADFILE;
    SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(ssl_ctx), self->store_);  // takes a reference
    return CURLE_OK;
  }

 private:
  // What libcurl itself would trust (its built-in bundle and directory), then ca_file: the
  // configured CAs are added to the system's rather than replacing them. Null on failure.
  static X509_STORE* load(const std::string& extra_ca_file) {
    X509_STORE* store = X509_STORE_new();
    if (store == nullptr) return nullptr;
    bool ok = true;
    if (CURL* probe = curl_easy_init()) {
      char* bundle = nullptr;
      char* directory = nullptr;
      curl_easy_getinfo(probe, CURLINFO_CAINFO, &bundle);
      curl_easy_getinfo(probe, CURLINFO_CAPATH, &directory);
      if (bundle != nullptr && *bundle != '\0') ok = X509_STORE_load_file(store, bundle) == 1;
      // A directory is looked up by subject hash when a chain needs it, not read now.
      if (directory != nullptr && *directory != '\0') X509_STORE_load_path(store, directory);
      curl_easy_cleanup(probe);
    }
    if (ok && !extra_ca_file.empty()) ok = X509_STORE_load_file(store, extra_ca_file.c_str()) == 1;
    if (!ok) {
      X509_STORE_free(store);
      return nullptr;
    }
    // As libcurl sets on its own store: a trusted intermediate may end a chain.
    X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
    return store;
  }

  const std::string extra_ca_file_;
  Mutex mutex_;
  X509_STORE* store_ GUARDED_BY(mutex_) = nullptr;  // null until loaded
};

struct HeaderList {
  curl_slist* list = nullptr;
  ~HeaderList() { curl_slist_free_all(list); }
  void add(const std::string& line) { list = curl_slist_append(list, line.c_str()); }
};

// Collects status and headers; a new status line (after 100 Continue, say) starts over.
struct HeaderSink {
  long status = 0;
  Headers headers;
  bool complete = false;
  static size_t on_header(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<HeaderSink*>(self_ptr);
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.starts_with("HTTP/")) {
      self->headers.clear();
      self->complete = false;
      size_t space = line.find(' ');
      self->status = space == std::string_view::npos
                         ? 0
                         : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    } else if (line.empty()) {
      self->complete = self->status >= 200;
    } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      self->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    return size * count;
  }
};

class CurlClient;

class CurlStream final : public ResponseStream {
 public:
  CurlStream(CURL* easy, std::string url, std::shared_ptr<Share> share,
             std::shared_ptr<TrustStore> trust)
      : easy_(easy), url_(std::move(url)), share_(std::move(share)), trust_(std::move(trust)) {
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, kMaxConnections);
  }
  ~CurlStream() override {
    curl_multi_remove_handle(multi_, easy_);
    curl_easy_cleanup(easy_);
    curl_multi_cleanup(multi_);
  }
  CurlStream(const CurlStream&) = delete;
  CurlStream& operator=(const CurlStream&) = delete;

  HeaderSink header_sink;
  char error_buffer[CURL_ERROR_SIZE] = {};

  static size_t on_write(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<CurlStream*>(self_ptr);
    // Hold at most ~64 KiB: past that, pause the transfer until the reader catches up. A paused
    // write is delivered again later, so nothing is appended here then. One transfer can find
    // megabytes waiting in its socket; every object being read would hold that much.
    if (self->buffer_.size() - self->pos_ > kMaxBuffered) return CURL_WRITEFUNC_PAUSE;
    self->buffer_.append(data, size * count);
    return size * count;
  }

  /// Drives the transfer until the headers are in (or it ends). Throws HttpError.
  void start() {
    curl_multi_add_handle(multi_, easy_);
    while (!header_sink.complete && !done_) drive();
    // A failure after the headers surfaces from read(), once the bytes before it are read.
    if (!header_sink.complete && result_ != CURLE_OK) throw to_error(result_, error_buffer, url_);
  }

  long status() const override { return header_sink.status; }
  const Headers& headers() const override { return header_sink.headers; }
  uint64_t bytes_read() const override { return delivered_; }

  size_t read(std::span<char> out) override {
    while (pos_ == buffer_.size() && !done_) {
      buffer_.clear();
      pos_ = 0;
      if (paused_) {
        paused_ = false;
        curl_easy_pause(easy_, CURLPAUSE_CONT);
      }
      drive();
    }
    if (pos_ == buffer_.size()) {
      if (result_ != CURLE_OK)
        throw TransportError("the response from " + host_of(url_) + " broke off after " +
                             std::to_string(delivered_) + " bytes: " + curl_easy_strerror(result_));
      return 0;
    }
    size_t n = std::min(out.size(), buffer_.size() - pos_);
    std::memcpy(out.data(), buffer_.data() + pos_, n);
    pos_ += n;
    delivered_ += n;
    return n;
  }

 private:
  static constexpr size_t kMaxBuffered = 64 * 1024;

  void drive() {
    int running = 0;
    curl_multi_perform(multi_, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
      if (msg->msg == CURLMSG_DONE) {
        done_ = true;
        result_ = msg->data.result;
      }
    }
    if (done_) return;
    if (buffer_.size() - pos_ > kMaxBuffered) {
      paused_ = true;  // the write callback paused the transfer; the reader resumes it
      return;
    }
    curl_multi_poll(multi_, nullptr, 0, 1000, nullptr);
  }

  CURL* easy_;
  CURLM* multi_;
  std::string url_;
  std::shared_ptr<Share> share_;  // these two outlive the easy handle that uses them
  std::shared_ptr<TrustStore> trust_;
  std::string buffer_;
  size_t pos_ = 0;
  uint64_t delivered_ = 0;
  bool done_ = false;
  bool paused_ = false;
  CURLcode result_ = CURLE_OK;
};

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(HttpOptions options) : options_(std::move(options)) {
    static std::once_flag init;
    std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (!options_.verify_tls)
      spdlog::warn(
          "[http] TLS certificate verification is turned off: connections can be "
          "intercepted; use ca_file to trust a private CA instead");
  }

  Response send(const Request& request) override {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) throw HttpError(HttpError::Kind::kOther, "cannot create an HTTP handle");
    struct Cleanup {
      CURL* easy;
      ~Cleanup() { curl_easy_cleanup(easy); }
    } cleanup{easy};
    HeaderList headers;
    HeaderSink header_sink;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Response response;
    struct BodySink {
      std::string* body;
      size_t limit;
      bool too_large = false;
      static size_t on_write(char* data, size_t size, size_t count, void* self_ptr) {
        auto* self = static_cast<BodySink*>(self_ptr);
        if (self->body->size() + size * count > self->limit) {
          self->too_large = true;
          return 0;
        }
        self->body->append(data, size * count);
        return size * count;
      }
    } body{&response.body, options_.max_response_bytes};
    configure(easy, request, headers, header_sink, error_buffer, false);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &BodySink::on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(easy);
    if (body.too_large)
      throw HttpError(HttpError::Kind::kTooLarge,
                      "the response from " + host_of(request.url) + " is larger than " +
                          std::to_string(options_.max_response_bytes) + " bytes");
    if (code != CURLE_OK) throw to_error(code, error_buffer, request.url);
    response.status = header_sink.status;
    response.headers = std::move(header_sink.headers);
    return response;
  }

  std::unique_ptr<ResponseStream> open(const Request& request) override {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) throw HttpError(HttpError::Kind::kOther, "cannot create an HTTP handle");
    auto stream = std::make_unique<CurlStream>(easy, request.url, share_, trust_);
    auto holder = std::make_shared<HeaderList>();  // must live as long as the transfer
    configure(easy, request, *holder, stream->header_sink, stream->error_buffer, true);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlStream::on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, stream.get());
    auto guarded = std::make_unique<StreamWithHeaders>(std::move(stream), std::move(holder));
    guarded->start();
    return guarded;
  }

 private:
  // Keeps the request's header list alive for as long as its stream.
  class StreamWithHeaders final : public ResponseStream {
   public:
    StreamWithHeaders(std::unique_ptr<CurlStream> stream, std::shared_ptr<HeaderList> headers)
        : stream_(std::move(stream)), headers_(std::move(headers)) {}
    void start() { stream_->start(); }
    size_t read(std::span<char> out) override { return stream_->read(out); }
    long status() const override { return stream_->status(); }
    const Headers& headers() const override { return stream_->headers(); }
    uint64_t bytes_read() const override { return stream_->bytes_read(); }

   private:
    std::unique_ptr<CurlStream> stream_;  // destroyed first: the transfer ends before the list
    std::shared_ptr<HeaderList> headers_;
  };

  void configure(CURL* easy, const Request& request, HeaderList& headers, HeaderSink& header_sink,
                 char* error_buffer, bool streaming) {
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_SHARE, share_->get());
    curl_easy_setopt(easy, CURLOPT_MAXCONNECTS, kMaxConnections);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    Duration total = request.timeout.count() > 0 ? request.timeout : options_.timeout;
    if (!streaming) curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(
        easy, CURLOPT_LOW_SPEED_TIME,
        static_cast<long>(
            std::chrono::duration_cast<std::chrono::seconds>(options_.low_speed_time).count()));
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (options_.verify_tls) {
      // No bundle or directory for libcurl to parse per connection: the shared store has them.
      curl_easy_setopt(easy, CURLOPT_CAINFO, nullptr);
      curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
      curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &TrustStore::install);
      curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, trust_.get());
    }
    if (!options_.use_proxy)
      curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");  // "*" turns every proxy off
    else if (!options_.proxy.empty())
      curl_easy_setopt(easy, CURLOPT_PROXY, options_.proxy.c_str());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &HeaderSink::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &header_sink);

    if (request.method == "GET") {
      curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    }
    // Our headers go out as given (signatures cover them); curl adds none we did not ask for.
    headers.add("Expect:");
    if (find_header(request.headers, "Accept").empty()) headers.add("Accept:");
    if (request.method != "GET" && find_header(request.headers, "Content-Type").empty())
      headers.add("Content-Type:");
    for (const auto& [name, value] : request.headers)
      headers.add(value.empty() ? name + ";" : name + ": " + value);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.list);
  }

  HttpOptions options_;
  std::shared_ptr<Share> share_ = std::make_shared<Share>();
  std::shared_ptr<TrustStore> trust_ = std::make_shared<TrustStore>(options_.ca_file);
};

}  // namespace

HttpClientPtr make_curl_client(const HttpOptions& options) {
  return std::make_shared<CurlClient>(options);
}

}  // namespace gd2s::http
